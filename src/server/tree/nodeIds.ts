// Tree node ids: a node's id is its parent's id, '/', and one segment of its
// own, so the parent of any node follows from its id (protocol.ts parentIdOf).
// A segment is "kind:value" with the value encoded by encodeURIComponent: a
// '/' or ':' in a value (a file name, a device name) cannot break the split.

interface IdSegment {
  kind: string;
  value: string;
}

/** One segment: the kind is a fixed word of the view model, the value any text. */
export function segment(kind: string, value: string | number): string {
  return `${kind}:${encodeURIComponent(String(value))}`;
}

/** The id of a child: the parent's id (undefined for a root) and the child's segment. */
export function childId(parentId: string | undefined, kind: string, value: string | number): string {
  const s = segment(kind, value);
  return parentId ? `${parentId}/${s}` : s;
}

/** The segments of an id, decoded; undefined when the id is not one the view model made. */
export function parseId(id: string): IdSegment[] | undefined {
  const out: IdSegment[] = [];
  for (const part of id.split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return undefined;
    try {
      out.push({ kind: part.slice(0, colon), value: decodeURIComponent(part.slice(colon + 1)) });
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The id made of the first `count` segments of `id`. */
export function ancestorId(id: string, count: number): string {
  return id.split('/').slice(0, count).join('/');
}

/** The ids from the root down to `id` itself. */
export function pathIds(id: string): string[] {
  const parts = id.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
