// A real QEMU with a graph of about 1,000 nodes (20 disks on 25-layer qcow2 chains, 1,020 nodes)
// behind its own `bin/blockscope serve`, for the in-browser graph figures.
import { startBlockscope } from '../test/harness/blockscope.ts';
import { startTestQemu } from '../test/harness/qemu.ts';
import { largeGraphArgs, prepareLargeGraph } from '../test/fixtures/graph/large-qemu.ts';

const SHAPE = { devices: 20, layers: 25 };

export async function withLargeGraph(run: (url: string) => Promise<void>): Promise<void> {
  const qemu = await startTestQemu({
    prepare: (dir) => prepareLargeGraph(dir, SHAPE),
    args: (dir) => largeGraphArgs(dir, SHAPE),
  });
  try {
    const served = await startBlockscope(['serve', '--target', `big=unix:${qemu.qmpSocket}`]);
    try {
      await run(served.url);
    } finally {
      await served.stop();
    }
  } finally {
    await qemu.stop();
  }
}
