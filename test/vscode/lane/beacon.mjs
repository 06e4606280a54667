// A tiny HTTP server on 127.0.0.1 that counts the requests it gets, by path:
// the hostile capture's payloads call it when they run (a script fetching
// it, an injected image loading it), so any hit means a payload got out of
// the text it should have stayed.
import { createServer } from 'node:http';

/** Starts listening on a free loopback port; `hits` lists every request's path and origin. */
export function startBeacon() {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', origin: req.headers.origin ?? req.headers.referer ?? '' });
    // Answerable from any page, so a request that was made is never lost to CORS before it counts.
    res.writeHead(204, { 'access-control-allow-origin': '*' });
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
