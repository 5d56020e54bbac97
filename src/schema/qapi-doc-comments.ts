// Reads the doc comments of QEMU's qapi/*.json files (docs/devel/qapi-code-gen.rst, "Definition
// documentation"): a `##` block whose first line is `@Name:` documents definition Name; then free
// text, `@member: text` paragraphs, and sections such as `Since:`, `Returns:` and `Example:`.
// Blocks are found by their `@Name:` heading, not by position, so a copy with some lines lost
// still yields what is there.

export interface DocBlock {
  name: string;
  /** Free text before the member paragraphs. */
  description: string;
  members: Record<string, string>;
  since?: string;
  returns?: string;
}

const SECTION = /^(Since|Returns|Notes?|Examples?|Errors|Features|TODO|Use|Details):\s*(.*)$/i;
const MEMBER = /^@([\w-]+):\s*(.*)$/;

/** Groups consecutive `#` lines of a file and parses the blocks that document a definition. */
export function parseDocBlocks(text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  let lines: string[] = [];
  const flush = () => {
    const block = parseBlock(lines);
    if (block) blocks.push(block);
    lines = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('##')) {
      flush(); // `##` opens and closes a doc block
    } else if (line.startsWith('#')) {
      lines.push(line.replace(/^# ?/, ''));
    } else {
      flush();
    }
  }
  flush();
  return blocks;
}

function parseBlock(lines: string[]): DocBlock | null {
  const first = lines.findIndex((l) => l.trim() !== '');
  const heading = first < 0 ? null : /^@([\w-]+):\s*$/.exec(lines[first]?.trim() ?? '');
  if (!heading?.[1]) return null;
  const block: DocBlock = { name: heading[1], description: '', members: {} };
  let target: { kind: 'description' } | { kind: 'member'; name: string } | { kind: 'skip' } = {
    kind: 'description',
  };
  let sectionName = '';
  const append = (text: string) => {
    if (target.kind === 'description') block.description = join(block.description, text);
    else if (target.kind === 'member')
      block.members[target.name] = join(block.members[target.name] ?? '', text);
    else if (sectionName === 'returns') block.returns = join(block.returns ?? '', text);
  };
  for (const raw of lines.slice(first + 1)) {
    const line = raw.trim();
    if (line === '') {
      // A blank line ends a member paragraph; the free text may have several paragraphs.
      if (target.kind === 'member') target = { kind: 'skip' };
      else if (target.kind === 'description' && block.description) block.description += '\n\n';
      continue;
    }
    const section = SECTION.exec(line);
    if (section) {
      sectionName = (section[1] ?? '').toLowerCase();
      if (sectionName === 'since') block.since = (section[2] ?? '').trim();
      target = { kind: 'skip' };
      if (sectionName === 'returns') append(section[2] ?? '');
      continue;
    }
    const member = MEMBER.exec(line);
    if (member?.[1] && sectionName !== 'features') {
      target = { kind: 'member', name: member[1] };
      sectionName = '';
      append(member[2] ?? '');
      continue;
    }
    append(line);
  }
  block.description = block.description.trim();
  return block;
}

function join(a: string, b: string): string {
  if (!b) return a;
  if (!a || a.endsWith('\n\n')) return a + b;
  return `${a} ${b}`;
}
