// Jobs that libvirt starts (virsh blockcopy, blockcommit --active, blockpull), outside Blockscope,
// are watched to their end through the proxy's shared job poller and libvirt's forwarded events:
// progress that moves, the ready state, and the end after libvirt's pivot.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { imagesIdentical } from '../harness/qemu.ts';
import { startTestLibvirt, type TestGuest, type TestLibvirt } from '../harness/libvirt.ts';
import { startLibvirtProxy, waitForTarget, type LibvirtProxy } from './libvirt-helpers.ts';
import { WsQmp, type Message } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
let libvirt: TestLibvirt;
let proxy: LibvirtProxy | undefined;
let guest: TestGuest | undefined;

beforeAll(async () => {
  libvirt = await startTestLibvirt();
});
afterEach(async () => {
  await proxy?.stop();
  await guest?.destroy();
  proxy = guest = undefined;
});
afterAll(() => libvirt?.stop());

interface JobSample {
  id: string;
  type: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
}

/** Every snapshot of job `id` the session heard, in order. */
function samples(session: WsQmp, id: RegExp): JobSample[] {
  return session
    .events('X_BLOCKSCOPE_JOBS')
    .flatMap((m) => (m.data as { jobs: JobSample[] }).jobs)
    .filter((job) => id.test(job.id));
}

const jobsEvent = (m: Message) => m.event === 'X_BLOCKSCOPE_JOBS';
const jobListed = (id: RegExp, status?: string) => (m: Message) =>
  jobsEvent(m) &&
  (m.data as { jobs: JobSample[] }).jobs.some(
    (j) => id.test(j.id) && (!status || j.status === status),
  );

async function watch(name: string): Promise<WsQmp> {
  proxy = await startLibvirtProxy([libvirt.uri]);
  await waitForTarget(proxy, name, (t) => t.state === 'connected');
  return WsQmp.open(proxy, name);
}

describe('jobs libvirt starts', () => {
  it('follows a virsh blockcopy to its end: progress that moves, ready, the pivot', async () => {
    guest = await libvirt.createGuest('bs-copy', [
      {
        target: 'vda',
        chain: ['copy-base.qcow2', 'copy-top.qcow2'],
        size: '24M',
        data: [{ offset: 0, length: '12M', pattern: 0x5a }],
      },
    ]);
    const session = await watch('bs-copy');
    const dest = `${libvirt.dir}/copy-dest.qcow2`;
    const id = /^copy-vda-libvirt-\d+-format$/;
    // 24 MiB at 4 MiB/s (QEMU's rate limit counts the zeroes too): about six seconds of copying,
    // sampled once a second.
    await libvirt.virsh([
      ...['blockcopy', guest.uuid, 'vda', dest],
      ...['--format', 'qcow2', '--bandwidth', '4', '--transient-job'],
    ]);
    await session.next(jobListed(id, 'ready'), 30_000);
    const running = samples(session, id).filter((s) => s.status === 'running');
    const progress = [...new Set(running.map((s) => s['current-progress']))];
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(running.every((s) => s.type === 'mirror' && s['total-progress'] >= 24 * MiB)).toBe(true);
    // libvirt's passthrough forwards QEMU's events; their data reaches the session as objects
    expect(
      session
        .events('JOB_STATUS_CHANGE')
        .some(
          (m) => id.test((m.data as { id: string }).id) && (m.data as Message).status === 'ready',
        ),
    ).toBe(true);

    await libvirt.virsh(['blockjob', guest.uuid, 'vda', '--pivot']);
    // the last snapshot has no job left: libvirt finalized and dismissed it
    const end = await session.next(
      (m) =>
        jobsEvent(m) &&
        session.messages.indexOf(m) > session.messages.findLastIndex(jobListed(id)) &&
        (m.data as { jobs: JobSample[] }).jobs.length === 0,
      20_000,
    );
    expect(end).toBeDefined();
    expect(
      session
        .events('JOB_STATUS_CHANGE')
        .some(
          (m) =>
            id.test((m.data as { id: string }).id) && (m.data as Message).status === 'concluded',
        ),
    ).toBe(true);
    // the guest now runs on the copy, which holds what the chain held
    await waitForTarget(proxy!, 'bs-copy', (t) => t.disks?.[0]?.source === dest);
    expect(await imagesIdentical(guest.images['copy-top.qcow2']!, dest)).toBe(true);
    session.close();
  });

  it('follows a virsh blockcommit --active and a virsh blockpull, each while it runs and to its end', async () => {
    // vda's layers are committed, vdb's pulled: each job needs a chain of its own to work on
    guest = await libvirt.createGuest('bs-chain', [
      { target: 'vda', chain: ['commit-base.qcow2', 'commit-top.qcow2'], size: '32M' },
      {
        target: 'vdb',
        chain: ['pull-base.qcow2', 'pull-top.qcow2'],
        size: '32M',
        data: [{ offset: 0, length: '6M', pattern: 0x33 }],
      },
    ]);
    const session = await watch('bs-chain');
    const pull = /^pull-vdb-libvirt-\d+-format$/;
    await libvirt.virsh(['blockpull', guest.uuid, 'vdb', '--bandwidth', '2']);
    await session.next(jobListed(pull, 'running'), 20_000);
    await session.next(
      (m) =>
        jobsEvent(m) &&
        session.messages.indexOf(m) > session.messages.findLastIndex(jobListed(pull)) &&
        (m.data as { jobs: JobSample[] }).jobs.length === 0,
      30_000,
    );
    const pulled = samples(session, pull);
    expect(pulled.some((s) => s.type === 'stream' && s['current-progress'] > 0)).toBe(true);

    const commit = /^commit-vda-libvirt-\d+-format$/;
    await libvirt.virsh(['blockcommit', guest.uuid, 'vda', '--active', '--bandwidth', '2']);
    await session.next(jobListed(commit, 'ready'), 30_000);
    expect(samples(session, commit).some((s) => s.type === 'commit')).toBe(true);
    await libvirt.virsh(['blockjob', guest.uuid, 'vda', '--pivot']);
    await session.next(
      (m) =>
        jobsEvent(m) &&
        session.messages.indexOf(m) > session.messages.findLastIndex(jobListed(commit)) &&
        (m.data as { jobs: JobSample[] }).jobs.length === 0,
      20_000,
    );
    session.close();
  });
});
