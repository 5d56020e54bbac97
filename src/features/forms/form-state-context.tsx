// Form-wide state every field needs without threading props: validation errors by path (shown
// only after the first attempt to send) and whether deprecated/unstable members are shown.
import { createContext, useContext } from 'react';

export interface FormState {
  errors: Map<string, string>;
  showErrors: boolean;
  showAdvanced: boolean;
  formId: string;
}

export const FormStateContext = createContext<FormState>({
  errors: new Map(),
  showErrors: false,
  showAdvanced: false,
  formId: 'form',
});

export function useFormState(): FormState {
  return useContext(FormStateContext);
}

export function useFieldError(path: string[]): string | undefined {
  const state = useFormState();
  return state.showErrors ? state.errors.get(path.join('.')) : undefined;
}
