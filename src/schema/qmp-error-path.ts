// A best-effort hint from QEMU's error text back to a form field (qmp-domain.md §2.6, "what is
// hard" 4): the QObject input visitor names members as `Parameter 'a.b' …`. Only a hint: the
// error itself is always shown verbatim.

const PATTERNS = [
  /Parameter '([^']+)'/,
  /[Ii]nvalid parameter type for '([^']+)'/,
  /[Ii]nvalid parameter '([^']+)'/,
];

/** The dotted member path an error description mentions, or undefined. */
export function fieldPathFromError(desc: string): string | undefined {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(desc);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
