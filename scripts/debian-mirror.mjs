// The Debian mirror this machine already uses for a suite, read from its apt sources: one-line
// (/etc/apt/sources.list, sources.list.d/*.list) or deb822 (sources.list.d/*.sources).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `{ uri, signedBy }` of the first enabled `deb` entry for `suite`, or null. */
export function debianMirror(suite) {
  const files = ['/etc/apt/sources.list'];
  const partsDir = '/etc/apt/sources.list.d';
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      if (name.endsWith('.list') || name.endsWith('.sources')) files.push(join(partsDir, name));
    }
  }
  for (const file of files.filter((f) => existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    const found = file.endsWith('.sources') ? fromDeb822(text, suite) : fromOneLine(text, suite);
    if (found) return found;
  }
  return null;
}

function fromOneLine(text, suite) {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (!match || match[3] !== suite) continue;
    const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(match[1] ?? '')?.[1] ?? '';
    return { uri: match[2], signedBy };
  }
  return null;
}

function fromDeb822(text, suite) {
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = {};
    let last = null;
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('#')) continue;
      const field = /^([\w-]+):\s*(.*)$/.exec(line);
      if (field) fields[(last = field[1].toLowerCase())] = field[2].trim();
      else if (last && /^\s/.test(line)) fields[last] += `\n${line.trim()}`;
    }
    const words = (key) => (fields[key] ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || !words('suites').includes(suite)) continue;
    if (fields.enabled === 'no') continue;
    const signedBy = fields['signed-by'] ?? '';
    // An inline key block cannot go into a one-line source; apt's trusted keyrings cover Debian.
    return { uri: words('uris')[0], signedBy: signedBy.startsWith('/') ? signedBy : '' };
  }
  return null;
}
