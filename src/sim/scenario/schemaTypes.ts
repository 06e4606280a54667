// The building blocks of the scenario schema: each node says what a YAML
// value must be, documents it (for hovers and completion in the editor) and
// gives its default.

interface BaseNode {
  description: string;
}

export interface ObjectNode extends BaseNode {
  kind: 'object';
  properties: Record<string, SchemaNode>;
  required?: readonly string[];
}

/** A map chosen by its `type` key among variants. */
interface TaggedNode extends BaseNode {
  kind: 'tagged';
  tag: string;
  variants: Record<string, ObjectNode>;
}

interface ArrayNode extends BaseNode {
  kind: 'array';
  items: SchemaNode;
  minItems?: number;
  maxItems?: number;
}

interface EnumNode extends BaseNode {
  kind: 'enum';
  values: readonly string[];
  default?: string;
}

/** QEMU's on/off properties: on, off (or true/false), and auto where allowed. */
interface OnOffNode extends BaseNode {
  kind: 'onoff';
  default?: boolean | 'auto';
  allowAuto?: boolean;
}

export interface NumberNode extends BaseNode {
  kind: 'integer' | 'number';
  min?: number;
  max?: number;
  /** Allowed values only (e.g. aw-bits). */
  oneOf?: readonly number[];
  default?: number;
  unit?: string;
}

interface StringNode extends BaseNode {
  kind: 'string';
  pattern?: RegExp;
  patternText?: string;
  default?: string;
}

/** A 64-bit address: an integer or a "0x..." string. */
interface AddressNode extends BaseNode {
  kind: 'address';
}

/** A PCI requester "BB:DD.F". */
interface BdfNode extends BaseNode {
  kind: 'bdf';
}

/** An integer or a list of integers. */
interface NumberListNode extends BaseNode {
  kind: 'numbers';
  min?: number;
  max?: number;
  default?: number[];
}

/** [min, max]. */
interface RangeNode extends BaseNode {
  kind: 'range';
}

export type SchemaNode = ObjectNode | TaggedNode | ArrayNode | EnumNode | OnOffNode | NumberNode | StringNode | AddressNode | BdfNode | NumberListNode | RangeNode;
