// The import zones of eslint.config.js at work: a deliberately wrong import in a fixture text
// (linted as if it were a file in src/) fails lint, the same import the other way is accepted.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function zoneErrors(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: join(root, filePath) });
  return result!.messages
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths')
    .map((m) => m.message);
}

describe('import zones', () => {
  it('refuses a lower layer importing a higher one', async () => {
    const wrong =
      "import { targetKey } from '../api/query-keys.ts';\nexport const k = targetKey;\n";
    const errors = await zoneErrors('src/qmp/zone-fixture.ts', wrong);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src\/qmp is below/);
  });

  it('refuses src/api importing a feature', async () => {
    const wrong =
      "import { buildBlockGraphModel } from '../features/block-graph/model/build-model.ts';\nexport const b = buildBlockGraphModel;\n";
    expect(await zoneErrors('src/api/zone-fixture.ts', wrong)).toHaveLength(1);
  });

  it('refuses the page importing test helpers, and the proxy importing the page', async () => {
    const helper =
      "import { generateGraphInputs } from '../../test/fixtures/graph/generate-graph.ts';\nexport const g = generateGraphInputs;\n";
    expect(await zoneErrors('src/api/zone-fixture.ts', helper)).toHaveLength(1);
    const page =
      "import { targetKey } from '../src/api/query-keys.ts';\nexport const k = targetKey;\n";
    expect(await zoneErrors('proxy/zone-fixture.ts', page)).toHaveLength(1);
  });

  it('accepts a higher layer importing a lower one', async () => {
    const right = "import { ProxyEvent } from '../qmp/wire.ts';\nexport const e = ProxyEvent;\n";
    expect(await zoneErrors('src/api/zone-fixture.ts', right)).toEqual([]);
  });
});
