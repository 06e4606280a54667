// Which documents are scenario files: the viommu-scenario language, or a
// name ending in .viommu.yaml (for editors that send them as plain YAML).

import { SCENARIO_LANGUAGE } from '../../protocol';

function isScenarioUri(uri: string): boolean {
  return /\.viommu\.ya?ml$/i.test(uri);
}

export function isScenarioDocument(doc: { languageId: string; uri: string }): boolean {
  return doc.languageId === SCENARIO_LANGUAGE || isScenarioUri(doc.uri);
}
