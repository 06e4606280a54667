// The JSON Schema contributed for *.viommu.yaml (yamlValidation): current with
// the scenario schema, and it accepts every sample scenario and rejects what
// the simulator's own validation rejects.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { scenarioJsonSchema } from '../../src/sim/scenario/jsonSchema';
import { loadScenario } from '../../src/sim/index';
import { repoRoot } from '../helpers';

describe('scenario JSON Schema (for other YAML tooling)', () => {
  const schema = scenarioJsonSchema();
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('is the file the package contributes, current with the scenario schema', () => {
    assert.deepEqual(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'scenario.schema.json'), 'utf8')), schema, 'run node scripts/scenario-schema.mjs');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string[]; url: string }[] } };
    assert.deepEqual(pkg.contributes.yamlValidation, [{ fileMatch: ['*.viommu.yaml', '*.viommu.yml'], url: './schemas/scenario.schema.json' }]);
  });

  it('accepts every sample scenario', () => {
    const dir = join(repoRoot, 'samples', 'scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.viommu.yaml'));
    assert.ok(files.length >= 15);
    for (const f of files) {
      const ok = validate(parse(readFileSync(join(dir, f), 'utf8')));
      assert.ok(ok, `${f}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it('rejects what the simulator rejects: an unknown key, a value outside its enum, a malformed requester id', () => {
    for (const text of ['name: x\nplatform: { irqchip: maybe }\n', 'name: x\nplatfrom: {}\n', 'name: x\ndevices: [{ name: a, bdf: "0:3" }]\n']) {
      assert.ok(loadScenario(text).errors.length > 0, `the simulator rejects ${text}`);
      assert.equal(validate(parse(text)), false, `the schema rejects ${text}`);
    }
  });
});
