// Splits QEMU's output into lines (one JSON object per line, CRLF-terminated), holding at most
// `maxLineBytes` of an unfinished line. A longer line is skipped up to its newline and reported
// once, so memory stays bounded whatever QEMU sends (libvirt and qemu.qmp cap replies at 10 MiB).
// The report keeps the line's first bytes, enough to tell an event from a reply (line-head.ts).

export type FramedItem =
  { kind: 'line'; text: string } | { kind: 'oversized'; bytes: number; head: string };

/** How much of an oversized line is kept to classify it. */
export const HEAD_BYTES = 256;

export class LineFramer {
  private pieces: Buffer[] = [];
  private held = 0;
  /** Bytes of an oversized line skipped so far, or -1 while not skipping. */
  private skipped = -1;
  private head = '';

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): FramedItem[] {
    const out: FramedItem[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (this.skipped >= 0) {
        this.skipped += piece.length;
      } else if (this.held + piece.length > this.maxLineBytes) {
        this.skipped = this.held + piece.length;
        this.head = headOf([...this.pieces, piece]);
        this.pieces = [];
        this.held = 0;
      } else if (piece.length > 0) {
        this.pieces.push(piece);
        this.held += piece.length;
      }
      if (nl < 0) break;
      if (this.skipped >= 0) {
        out.push({ kind: 'oversized', bytes: this.skipped, head: this.head });
        this.skipped = -1;
        this.head = '';
      } else {
        const text = Buffer.concat(this.pieces, this.held).toString('utf8').trim();
        if (text) out.push({ kind: 'line', text });
      }
      this.pieces = [];
      this.held = 0;
      start = nl + 1;
    }
    return out;
  }
}

/** The first HEAD_BYTES of a line held in pieces, without copying the rest. */
function headOf(pieces: Buffer[]): string {
  const taken: Buffer[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    if (bytes >= HEAD_BYTES) break;
    const part = piece.subarray(0, HEAD_BYTES - bytes);
    taken.push(part);
    bytes += part.length;
  }
  return Buffer.concat(taken, bytes).toString('utf8');
}
