// GET /metrics scraped by a real Prometheus (Debian's), against a real qemu-system behind a
// recording relay: the output passes `promtool check metrics`, guest I/O through a device shows
// up as rising counters in Prometheus's own query API, a running mirror's progress as a rising
// gauge, and scrapes cost QEMU no command beyond the shared pollers'.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { deviceIo, writeThrough } from '../fixtures/io/guest-io.ts';
import { startPrometheus, type QueryResult, type TestPrometheus } from '../harness/prometheus.ts';
import { createImage, makeTempDir, startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const VDA = '/machine/peripheral/vda/virtio-backend';
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let prometheus: TestPrometheus;

beforeAll(async () => {
  const tokens = await makeTempDir('blockscope-tokens-');
  qemu = await startTestQemu({
    prepare: (dir) => createImage({ path: join(dir, 'disk.raw'), format: 'raw', size: 16 * MiB }),
    args: (dir) => [
      '-blockdev',
      JSON.stringify({ driver: 'file', 'node-name': 'disk-file', filename: join(dir, 'disk.raw') }),
      '-blockdev',
      JSON.stringify({ driver: 'raw', 'node-name': 'disk', file: 'disk-file' }),
      '-device',
      'virtio-blk-pci,id=vda,drive=disk',
      '-blockdev',
      `null-co,node-name=src,size=${GiB}`,
      '-blockdev',
      `null-co,node-name=dst,size=${GiB}`,
    ],
  });
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
      viewerTokenFile: join(tokens, 'viewer'),
    }),
  );
  // Scraped with the viewer's token: reading metrics is for either role.
  prometheus = await startPrometheus(`127.0.0.1:${proxy.port}`, proxy.viewerToken!);
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

const scrape = (token?: string, method = 'GET') =>
  fetch(`${proxy.origin}/metrics`, {
    method,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });

/** The single sample of a query, as a number, once there is exactly one. */
const single = (result: QueryResult) =>
  result.length === 1 ? Number(result[0]!.value[1]) : undefined;

function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

/** A stretch of time to count QEMU's commands in (a measurement, not a wait for an event). */
const measuringWindow = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /metrics', () => {
  it('is authenticated like the API, for either role', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('not-the-token')).status).toBe(401);
    expect((await scrape(proxy.token, 'POST')).status).toBe(405);
    for (const token of [proxy.token, proxy.viewerToken!]) {
      const response = await scrape(token);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await response.text();
      expect(text).toMatch(/^blockscope_target_up\{target="vm"\} 1$/m);
      expect(text).toMatch(
        new RegExp(
          `^blockscope_block_write_bytes_total\\{target="vm",device="${VDA}",node="disk"\\} \\d+$`,
          'm',
        ),
      );
    }
  });

  it('shows guest I/O through the device as rising counters in Prometheus', async () => {
    const where = `{target="vm",device="${VDA}",node="disk"}`;
    // Prometheus scrapes the proxy on its own (its `up` and our gauge say so).
    await prometheus.waitFor('up{job="blockscope"}', (r) => (single(r) === 1 ? true : undefined));
    await prometheus.waitFor(`blockscope_target_up{target="vm"}`, (r) =>
      single(r) === 1 ? true : undefined,
    );
    const bytes0 = await prometheus.waitFor(`blockscope_block_write_bytes_total${where}`, single);
    const requests0 = await prometheus.waitFor(
      `blockscope_block_write_requests_total${where}`,
      single,
    );
    const written = await writeThrough(qemu.direct, VDA, {
      count: 32,
      size: 64 * 1024,
      span: 8 * MiB,
    });
    expect(written.wr_bytes).toBe(bytes0 + 2 * MiB);
    // Prometheus's own store reaches QEMU's counters: exactly, once a scrape after the writes landed.
    await prometheus.waitFor(`blockscope_block_write_bytes_total${where}`, (r) =>
      single(r) === written.wr_bytes ? true : undefined,
    );
    await prometheus.waitFor(`blockscope_block_write_requests_total${where}`, (r) =>
      single(r) === requests0 + 32 ? true : undefined,
    );
    // Reads and flushes as well; the time counters are in seconds and grow with the requests.
    for (let i = 0; i < 8; i++) await deviceIo(qemu.direct, VDA, `aio_read ${i * 64 * 1024} 64k`);
    await deviceIo(qemu.direct, VDA, 'aio_flush');
    await prometheus.waitFor(`blockscope_block_read_bytes_total${where}`, (r) =>
      (single(r) ?? 0) >= 8 * 64 * 1024 ? true : undefined,
    );
    await prometheus.waitFor(`blockscope_block_flush_requests_total${where}`, (r) =>
      (single(r) ?? 0) >= 1 ? true : undefined,
    );
    const writeSeconds = await prometheus.waitFor(
      `blockscope_block_write_time_seconds_total${where}`,
      single,
    );
    expect(writeSeconds).toBeGreaterThan(0);
    expect(writeSeconds).toBeLessThan(60);
    // Prometheus sees a rate, as a dashboard would chart it.
    const rate = await prometheus.waitFor(
      `rate(blockscope_block_write_bytes_total${where}[10s])`,
      single,
    );
    expect(rate).toBeGreaterThan(0);
  });

  it("shows a running mirror's progress as a rising gauge, and passes promtool check metrics", async () => {
    const operator = await WsQmp.open(proxy, 'vm');
    const speed = 32 * MiB;
    expect(
      await operator.send({
        execute: 'blockdev-mirror',
        arguments: { 'job-id': 'm1', device: 'src', target: 'dst', sync: 'full', speed },
        id: 1,
      }),
    ).toEqual({ return: {}, id: 1 });
    const job = '{target="vm",job_id="m1",type="mirror"}';
    const first = await prometheus.waitFor(`blockscope_job_current_progress${job}`, (r) => {
      const v = single(r);
      return v !== undefined && v > 0 ? v : undefined;
    });
    const later = await prometheus.waitFor(`blockscope_job_current_progress${job}`, (r) => {
      const v = single(r);
      return v !== undefined && v > first ? v : undefined;
    });
    expect(later).toBeGreaterThan(first);
    expect(later).toBeLessThan(GiB);
    expect(await prometheus.waitFor(`blockscope_job_total_progress${job}`, single)).toBe(GiB);
    expect(
      await prometheus.waitFor(`blockscope_job_speed_limit_bytes_per_second${job}`, single),
    ).toBe(speed);
    expect(
      await prometheus.waitFor(
        `blockscope_job_info{target="vm",job_id="m1",state="running"}`,
        single,
      ),
    ).toBe(1);

    // Every query of the example Grafana dashboard finds its series in Prometheus.
    const dashboard = JSON.parse(
      await readFile(join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8'),
    ) as { panels: { title: string; targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.expr] as const));
    expect(exprs.length).toBeGreaterThan(10);
    for (const [title, expr] of exprs) {
      const concrete = expr.replaceAll('$target', 'vm').replaceAll('$__rate_interval', '10s');
      const result = await prometheus.waitFor(concrete, (r) => (r.length > 0 ? r : undefined));
      expect(result, `${title}: ${concrete}`).not.toEqual([]);
    }

    const text = await (await scrape(proxy.token)).text();
    expect(text).toContain(
      'blockscope_job_current_progress{target="vm",job_id="m1",type="mirror"}',
    );
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
    // The check bites: a counter named against the conventions fails it.
    const wrong = await promtoolCheck('# HELP x_bytes x\n# TYPE x_bytes counter\nx_bytes 1\n');
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('_total');

    expect(await operator.send({ execute: 'job-cancel', arguments: { id: 'm1' }, id: 2 })).toEqual({
      return: {},
      id: 2,
    });
    // The job poller's last read: it publishes the empty list once the job is gone.
    await operator.next(
      (m) => m.event === 'X_BLOCKSCOPE_JOBS' && (m.data as { jobs: unknown[] }).jobs.length === 0,
    );
    operator.close();
  });

  it('costs QEMU no command beyond the shared pollers, however often it is scraped', async () => {
    const blockstats = () => relay.linesMatching(/"query-blockstats"/).length;
    const jobs = () => relay.linesMatching(/"query-jobs"/).length;
    // Prometheus scrapes every second; a second scraper hammers five at a time meanwhile.
    const hammer = async (ms: number) => {
      const until = Date.now() + ms;
      let scrapes = 0;
      while (Date.now() < until) {
        const texts = await Promise.all(Array.from({ length: 5 }, () => scrape(proxy.token)));
        for (const t of texts) expect(t.status).toBe(200);
        scrapes += texts.length;
      }
      return scrapes;
    };
    // No job and nobody watching: the reads are the scrapes' own, one per second at most.
    const mux = proxy.multiplexers.get('vm')!;
    const start = blockstats();
    const started = Date.now();
    expect(await hammer(3_000)).toBeGreaterThan(15);
    const elapsed = Date.now() - started;
    expect(blockstats() - start).toBeLessThanOrEqual(Math.floor(elapsed / 1000) + 1);
    // Every query-jobs and query-blockstats QEMU heard is one of the pollers' reads (fewer when
    // one was answered by an identical read just made, proxy/shared-reads.ts).
    expect(jobs()).toBeLessThanOrEqual(mux.poller.polls);
    expect(blockstats()).toBeLessThanOrEqual(mux.blockStats.polls);

    // A page watches: its one read a second serves every scrape.
    const page = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken! });
    await page.send({
      execute: 'x-blockscope-watch-blockstats',
      arguments: { enable: true },
      id: 1,
    });
    const watchedFrom = blockstats();
    const watchedStart = Date.now();
    await hammer(3_000);
    const watchedFor = Date.now() - watchedStart;
    expect(blockstats() - watchedFrom).toBeLessThanOrEqual(Math.floor(watchedFor / 1000) + 1);
    page.close();
    await page.closed;
    expect(jobs()).toBeLessThanOrEqual(mux.poller.polls);
    expect(blockstats()).toBeLessThanOrEqual(mux.blockStats.polls);

    // Nobody scrapes and nobody watches: nothing at all (Prometheus stopped first).
    await prometheus.stop();
    const idleFrom = blockstats();
    await measuringWindow(2_500);
    expect(blockstats()).toBe(idleFrom);
  });
});
