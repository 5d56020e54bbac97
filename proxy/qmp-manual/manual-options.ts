// `--qmp-manual FILE` (repeatable): manual pages chosen by the operator, read and checked at
// start-up so a wrong path fails with one line instead of a form without help later.
import { ConfigError } from '../config.ts';
import { ManualError, readQmpManual, type QmpManual } from './manual-file.ts';

export async function readManualOptions(paths: string[]): Promise<QmpManual[]> {
  const manuals: QmpManual[] = [];
  for (const path of paths) {
    let manual: QmpManual;
    try {
      manual = await readQmpManual(path);
    } catch (error) {
      if (error instanceof ManualError) throw new ConfigError(`--qmp-manual ${error.message}`);
      throw error;
    }
    const twin = manuals.find((m) => m.program === manual.program);
    if (twin)
      throw new ConfigError(
        `--qmp-manual ${path}: ${twin.path} already documents ${manual.program}; give one per program`,
      );
    manuals.push(manual);
  }
  return manuals;
}
