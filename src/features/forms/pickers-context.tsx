// Live values for domain pickers, provided by whoever knows them (the run-command panel, the
// graph or the operations). Fields that name a node, job or bitmap offer these as suggestions.
import { createContext, useContext } from 'react';
import type { RefKind } from '../../schema/field-annotations.ts';

export interface FormPickers {
  nodeNames: string[];
  jobIds: string[];
  bitmapNames?: string[];
  /** Block drivers the proxy refuses for everyone (network and host-device drivers): not offered. */
  refusedDrivers?: ReadonlySet<string>;
}

export const FormPickersContext = createContext<FormPickers>({ nodeNames: [], jobIds: [] });

export function usePickerOptions(ref: RefKind | undefined): string[] {
  const pickers = useContext(FormPickersContext);
  if (ref === 'node') return pickers.nodeNames;
  if (ref === 'job') return pickers.jobIds;
  if (ref === 'bitmap') return pickers.bitmapNames ?? [];
  return [];
}
