// What the last simulation step changed, for every view: each node gets a
// print of its own text and of everything under it; a node is changed when
// its print differs from the print of the node with the same id before the
// step (or there was no such node). Nodes whose text already says all their
// children say (an entry and its fields) are not looked into; their children,
// when asked for, are compared one level deep.

import type { TreeNodeDto } from '../../../protocol';

export type ChildrenOf = (parentId: string | undefined) => TreeNodeDto[];

/** Nodes whose own text sums up their subtree (their children are the fields of the value shown). */
const SUMMED_UP = new Set(['field', 'leaf', 'register', 'pasid', 'alias', 'link', 'iotlbEntry', 'contextCacheEntry', 'simEvent', 'simRoute', 'simTlbEntry']);

/** Past this many nodes a view is not printed whole: only the levels asked for are compared. */
const MAX_PRINTED_NODES = 20000;

/** FNV-1a of a string, in hex: short prints, whatever the subtree's size. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/** What a node says (its icon only marks it, e.g. the current event of a chain). */
function ownText(n: TreeNodeDto): string {
  return `${n.label}\u0000${n.description ?? ''}\u0000${n.collapsible === 'none' ? 0 : 1}`;
}

/** The print of every node of a view (undefined when the view is too large to print whole). */
export function viewPrints(children: ChildrenOf, maxNodes = MAX_PRINTED_NODES): Map<string, string> | undefined {
  const prints = new Map<string, string>();
  let budget = maxNodes;
  const printOf = (n: TreeNodeDto): string => {
    let text = ownText(n);
    if (n.collapsible !== 'none' && !SUMMED_UP.has(n.contextValue ?? '')) {
      const kids = children(n.id);
      budget -= kids.length;
      if (budget < 0) throw new RangeError('too many nodes');
      text += '\u0001' + kids.map(printOf).join('\u0002');
    }
    const p = fnv(text);
    prints.set(n.id, p);
    return p;
  };
  try {
    const roots = children(undefined);
    budget -= roots.length;
    roots.forEach(printOf);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
  return prints;
}

/**
 * Sets `changed` on the nodes: by their prints when both views were printed,
 * else against the children of the same parent before the step. A node new
 * since the step is changed.
 */
export function markChanged(
  nodes: TreeNodeDto[],
  parentId: string | undefined,
  now: Map<string, string> | undefined,
  before: Map<string, string> | undefined,
  childrenBefore: ChildrenOf,
): TreeNodeDto[] {
  let previous: Map<string, TreeNodeDto> | undefined;
  const previousOf = (id: string) => {
    previous ??= new Map(childrenBefore(parentId).map((n) => [n.id, n]));
    return previous.get(id);
  };
  for (const n of nodes) {
    const a = now?.get(n.id);
    if (a !== undefined && before !== undefined) {
      n.changed = a !== before.get(n.id);
    } else {
      const p = previousOf(n.id);
      n.changed = p === undefined || ownText(p) !== ownText(n);
    }
    if (!n.changed) delete n.changed;
  }
  return nodes;
}
