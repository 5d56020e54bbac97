// Finds the places in a source file that start a program, for code the runtime guard does not see
// (scripts/*.mjs and the bench run outside the test processes). Reads text, runs nothing: a call
// of a node:child_process spawner (or a promisified execFile/exec) and its first argument, which is
// either a string literal (the program) or an expression that the caller must account for.

export interface SpawnSite {
  line: number;
  /** The program named by a string literal, or null when the first argument is an expression. */
  program: string | null;
  /** The first argument as written. */
  argument: string;
}

const SPAWNERS = ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync'];

/** Names bound to `promisify(execFile)` or `promisify(exec)`, e.g. `const run = promisify(execFile)`. */
function promisifiedAliases(source: string): string[] {
  return [...source.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*promisify\(\s*(?:execFile|exec)\s*\)/g)]
    .map((m) => m[1]!)
    .filter(Boolean);
}

function firstArgument(source: string, start: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < source.length; i++) {
    const ch = source[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) return source.slice(start, i).trim();
      depth--;
    } else if (ch === ',' && depth === 0) return source.slice(start, i).trim();
  }
  return source.slice(start).trim();
}

function literalValue(argument: string): string | null {
  const m = /^(['"`])([^'"`$\\]*)\1$/.exec(argument);
  return m ? m[2]! : null;
}

/** Blanks out comments (keeping line numbers), so prose that mentions a call is not one. */
function withoutComments(source: string): string {
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  return source
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(
      /(^|[\s;{}(),])(\/\/[^\n]*)/gm,
      (_, before: string, comment: string) => before + blank(comment),
    );
}

export function findSpawnSites(text: string): SpawnSite[] {
  if (!/child_process/.test(text)) return [];
  const source = withoutComments(text);
  const names = [...SPAWNERS, ...promisifiedAliases(source)];
  const call = new RegExp(
    `(?<![.\\w])(?:${names.join('|')})\\s*\\(|promisify\\(\\s*(?:execFile|exec)\\s*\\)\\s*\\(`,
    'g',
  );
  const sites: SpawnSite[] = [];
  for (const match of source.matchAll(call)) {
    const start = match.index + match[0].length;
    // `promisify(execFile)` itself is not a call that starts anything.
    if (/promisify\(\s*$/.test(source.slice(Math.max(0, match.index - 12), match.index))) continue;
    const argument = firstArgument(source, start);
    if (argument === '') continue;
    const line = source.slice(0, match.index).split('\n').length;
    sites.push({ line, program: literalValue(argument), argument });
  }
  return sites;
}
