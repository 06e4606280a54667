// Every feature of the language server, in one list.

import type { Feature } from './feature';
import { hoverFeature } from './hover';
import { inlayHintsFeature } from './inlayHints';
import { translateFeature } from './translate';
import { captureSummaryFeature } from './captureSummary';
import { locateAddressFeature } from './locateAddress';
import { serverStatsFeature } from './serverStats';
import { largeFilesFeature } from './largeFiles';
import { definitionFeature } from './definition';
import { referencesFeature } from './references';
import { codeLensFeature } from './codeLens';
import { codeActionsFeature } from './codeActions';
import { treeRequestsFeature } from './treeRequests';
import { documentSymbolsFeature } from './documentSymbols';
import { foldingRangesFeature } from './foldingRanges';
import { semanticTokensFeature } from './semanticTokens';
import { workspaceSymbolsFeature } from './workspaceSymbols';
import { traceRequestsFeature } from './traceTreeRequests';
import { compareCapturesFeature } from './compareCaptures';
import { simulationRequestsFeature } from './simulationRequests';
import { scenarioLanguageFeature } from './scenarioLanguage';
import { shareRequests } from '../scenario/sharedRequests';

// Hovers and code lenses are shared: the dump features and the scenario language both answer them.
export const FEATURES: readonly Feature[] = shareRequests([hoverFeature, inlayHintsFeature, translateFeature, captureSummaryFeature, locateAddressFeature, serverStatsFeature, largeFilesFeature, definitionFeature, referencesFeature, codeLensFeature, codeActionsFeature, treeRequestsFeature, documentSymbolsFeature, foldingRangesFeature, semanticTokensFeature, workspaceSymbolsFeature, traceRequestsFeature, compareCapturesFeature, simulationRequestsFeature, scenarioLanguageFeature]);
