// Requests more than one feature answers: the dump features and the scenario
// language both give hovers and code lenses, but a language-server connection
// keeps one handler per request. The features register through a connection
// that collects their handlers and answers with the first hover any of them
// gives, and with every code lens all of them give.

import type { CodeLens, Connection, Hover } from 'vscode-languageserver/node';
import type { Feature } from '../features/feature';

type Handler<R> = (...args: never[]) => R | Promise<R> | undefined | null;

/** A connection whose onHover and onCodeLens add a handler instead of replacing the one before. */
function sharingConnection(connection: Connection): Connection {
  const hovers: Handler<Hover | null>[] = [];
  const lenses: Handler<CodeLens[] | null>[] = [];
  const add = <R>(list: Handler<R>[], first: boolean, install: () => void) => (handler: Handler<R>) => {
    list.push(handler);
    if (first && list.length === 1) install();
    return { dispose: () => list.splice(list.indexOf(handler), 1) };
  };
  const onHover = add(hovers, true, () =>
    connection.onHover(async (...args) => {
      for (const h of hovers) {
        const r = await (h as (...a: typeof args) => ReturnType<Handler<Hover | null>>)(...args);
        if (r) return r;
      }
      return null;
    }),
  );
  const onCodeLens = add(lenses, true, () =>
    connection.onCodeLens(async (...args) => {
      const all: CodeLens[] = [];
      for (const h of lenses) all.push(...((await (h as (...a: typeof args) => ReturnType<Handler<CodeLens[] | null>>)(...args)) ?? []));
      return all;
    }),
  );
  return new Proxy(connection, {
    get(target, prop) {
      if (prop === 'onHover') return onHover;
      if (prop === 'onCodeLens') return onCodeLens;
      return Reflect.get(target, prop, target);
    },
  });
}

/** The features, registering through one connection that shares hover and code lens requests among them. */
export function shareRequests(features: readonly Feature[]): Feature[] {
  const shared = new WeakMap<Connection, Connection>();
  const sharedOf = (c: Connection) => {
    let s = shared.get(c);
    if (!s) {
      s = sharingConnection(c);
      shared.set(c, s);
    }
    return s;
  };
  return features.map((f) => ({ capabilities: f.capabilities, register: (ctx) => f.register({ ...ctx, connection: sharedOf(ctx.connection) }) }));
}
