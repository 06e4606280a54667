// Writes schemas/scenario.schema.json from the scenario schema (src/sim/scenario/jsonSchema.ts).
// Run after changing src/sim/scenario/schema.ts; test/unit/scenario-json-schema.test.ts checks it is current.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = 'out/scenario-schema.cjs';
await esbuild.build({ entryPoints: ['src/sim/scenario/jsonSchema.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning' });
const { scenarioJsonSchema } = createRequire(import.meta.url)(`../${out}`);
mkdirSync('schemas', { recursive: true });
writeFileSync('schemas/scenario.schema.json', JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
console.log('wrote schemas/scenario.schema.json');
