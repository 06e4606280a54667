// The semantic token legend: what the server colours in a dump beyond what
// the TextMate grammars can see. package.json declares the same types and
// modifiers (contributes.semanticTokenTypes / semanticTokenModifiers) with
// fallback TextMate scopes; a test holds the two lists together.

import type { SemanticTokensLegend } from 'vscode-languageserver/node';

const TOKEN_TYPES = [
  /** A PCI requester id (bus:dev.fn, or a source id printed as a number). */
  'requester',
  /** A raw hex VT-d structure: register, root/context/PASID entry, paging entry, IRTE, descriptor. */
  'entry',
  /** An address printed on its own: a table pointer, an IOVA or its PFN, a fault address. */
  'address',
  /** A VT-d fault reason code. */
  'faultReason',
] as const;

const TOKEN_MODIFIERS = [
  /** An entry that is not present (P = 0, or R = W = 0 for a paging entry). */
  'notPresent',
  /** An entry whose decode breaks the VT-d specification (reserved bits set, a reserved encoding). */
  'specViolation',
] as const;

type TokenType = (typeof TOKEN_TYPES)[number];

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export const TYPE: Readonly<Record<TokenType, number>> = Object.fromEntries(TOKEN_TYPES.map((t, i) => [t, i])) as Record<TokenType, number>;

export const NOT_PRESENT = 1 << TOKEN_MODIFIERS.indexOf('notPresent');
export const SPEC_VIOLATION = 1 << TOKEN_MODIFIERS.indexOf('specViolation');
