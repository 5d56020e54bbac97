// `--qapi-docs DIR`: QEMU's qapi/*.json schema sources, whose doc comments proxy/field-docs.ts
// parses (src/schema/qapi-docs.ts) into the help beside form fields. Read once, bounded in size.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './config.ts';

export interface QapiDocFile {
  name: string;
  text: string;
}

const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** Reads every `*.json` file directly in `dir`; fails with a one-line ConfigError when unusable. */
export async function readQapiDocFiles(dir: string): Promise<QapiDocFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    throw new ConfigError(
      `--qapi-docs ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`,
    );
  }
  if (names.length === 0)
    throw new ConfigError(`--qapi-docs ${dir}: no *.json files (expected QEMU's qapi/ directory)`);
  const files: QapiDocFile[] = [];
  let total = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    total += info.size;
    if (total > MAX_TOTAL_BYTES)
      throw new ConfigError(`--qapi-docs ${dir}: more than 16 MiB of schema files`);
    files.push({ name, text: await readFile(path, 'utf8') });
  }
  return files;
}
