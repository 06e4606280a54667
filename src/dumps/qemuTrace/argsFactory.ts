// The argument object of a trace event, made by one object literal per
// template.
//
// Built one property at a time with args[name] = value, each argument is a
// store of a key the site has never seen with this object's shape: the
// store IC of that site is megamorphic, so every new property is a call
// into the runtime and a map transition, and an object with more than four
// properties grows a separate property array. Across the events of a trace
// that cost about a third of the parse. A literal written for the template
// makes the whole object in one allocation with its final shape, and V8
// tracks that allocation site as it does any literal's (it may allocate the
// objects straight in the old generation once they survive).
//
// The literal is compiled from the static event table (eventFormats.ts),
// never from input: a name that is not a plain identifier throws at load
// time, like any other malformed template.

import type { ArgValue, CompiledTemplate } from './template';

/** Makes the arguments of one template from its field values, in template order. */
export type ArgsFactory = (values: readonly ArgValue[]) => Record<string, ArgValue>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The factory of a template's arguments: its fields in template order, then
 * `derived` (arguments worked out later, see derivedArgs.ts) as undefined
 * until they are set, so that every object of the template keeps one shape
 * and the key order matchTemplate and addDerivedArgs give.
 */
export function argsFactory(t: CompiledTemplate, derived: readonly string[] = []): ArgsFactory {
  const fields: string[] = [];
  for (const part of t.parts) if (part.kind === 'field') fields.push(part.name);
  const names = [...fields, ...derived];
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`trace argument name "${name}" is not an identifier`);
  if (new Set(names).size !== names.length) throw new Error(`a trace argument name repeats in "${t.source}"`);
  const props = [...fields.map((name, i) => `${name}: v[${i}]`), ...derived.map((name) => `${name}: undefined`)];
  return new Function('v', `return { ${props.join(', ')} };`) as ArgsFactory;
}
