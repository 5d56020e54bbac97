// The runner against a scripted executor, for what a real QEMU will not do on demand: the
// proxy's "overloaded" answer, and the exact order of undo steps.
import { describe, expect, it } from 'vitest';
import { ProxyErrorClass, QmpError } from '../../qmp/errors.ts';
import type { JsonObject } from '../../qmp/wire.ts';
import type { JobInfo, LiveState } from './plans/live-state.ts';
import type { Plan } from './plans/types.ts';
import { runPlan } from './run-plan.ts';

function scripted(answers: Record<string, (args?: JsonObject) => unknown>) {
  const sent: string[] = [];
  return {
    sent,
    execute(command: string, args?: JsonObject): Promise<unknown> {
      sent.push(command);
      try {
        return Promise.resolve(answers[command]?.(args) ?? {});
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}

const step = (command: string, extra: Partial<Plan['steps'][number]> = {}) => ({
  title: command,
  explanation: '',
  command,
  arguments: {},
  ...extra,
});

describe('runPlan', () => {
  it('stops at the first error, undoes the done steps newest first, and gives a hint', async () => {
    const client = scripted({
      'blockdev-mirror': () => {
        throw new QmpError('GenericError', "Job ID 'm' already in use", 'blockdev-mirror');
      },
    });
    const plan: Plan = {
      summary: '',
      jobIds: [],
      steps: [
        step('blockdev-add', { undo: { command: 'undo-a', arguments: {} } }),
        step('blockdev-add', { undo: { command: 'undo-b', arguments: {} } }),
        step('blockdev-mirror'),
        step('never-sent'),
      ],
    };
    const result = await runPlan(client, plan);
    expect(client.sent).toEqual([
      'blockdev-add',
      'blockdev-add',
      'blockdev-mirror',
      'undo-b',
      'undo-a',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({
      index: 2,
      errorClass: 'GenericError',
      message: "Job ID 'm' already in use",
      undoErrors: [],
    });
    expect(result.failure.hint).toMatch(/another job id/);
  });

  it('retries a command the proxy refused as overloaded (it was never sent to QEMU)', async () => {
    let refusals = 2;
    const client = scripted({
      'block-dirty-bitmap-add': () => {
        if (refusals-- > 0) throw new QmpError(ProxyErrorClass.Overloaded, 'too many', 'x');
        return {};
      },
    });
    const plan: Plan = { summary: '', jobIds: [], steps: [step('block-dirty-bitmap-add')] };
    expect((await runPlan(client, plan)).ok).toBe(true);
    expect(client.sent).toEqual(Array(3).fill('block-dirty-bitmap-add'));
  });

  it("reports a creation job's own error and dismisses the failed job", async () => {
    const client = scripted({
      'query-jobs': () => [
        {
          id: 'c',
          type: 'create',
          status: 'concluded',
          error: 'Image size must be a multiple of 512 bytes',
        },
      ],
    });
    const plan: Plan = {
      summary: '',
      jobIds: [],
      steps: [
        step('blockdev-create', {
          waitFor: { job: 'c', until: ['concluded'], dismissWhenFailed: true },
        }),
      ],
    };
    const result = await runPlan(client, plan, { pollMs: 1 });
    expect(!result.ok && result.failure.message).toBe('Image size must be a multiple of 512 bytes');
    expect(client.sent).toEqual(['blockdev-create', 'query-jobs', 'job-dismiss']);
  });

  it('fails a wait for READY when the job ended first', async () => {
    const client = scripted({
      'query-jobs': () => [{ id: 'm', type: 'mirror', status: 'concluded' }],
    });
    const plan: Plan = {
      summary: '',
      jobIds: [],
      steps: [step('blockdev-mirror', { waitFor: { job: 'm', until: ['ready'] } })],
    };
    const result = await runPlan(client, plan, { pollMs: 1 });
    expect(!result.ok && result.failure.message).toMatch(/ended before it was ready/);
  });

  it('does not create a file over one that appeared after the plan was made', async () => {
    const client = scripted({});
    const plan: Plan = {
      summary: '',
      jobIds: [],
      steps: [
        step('blockdev-add', { undo: { command: 'blockdev-del', arguments: {} } }),
        step('blockdev-create', {
          createsFile: { path: '/i/new.qcow2', overwriteConfirmed: false },
        }),
      ],
    };
    const result = await runPlan(client, plan, {
      lookUpPath: (path) =>
        Promise.resolve({ path, exists: true, type: 'file', size: 4096, format: 'raw' }),
    });
    expect(client.sent).toEqual(['blockdev-add', 'blockdev-del']);
    expect(result).toMatchObject({
      ok: false,
      failure: {
        index: 1,
        errorClass: 'FileExists',
        message: expect.stringMatching(
          /^\/i\/new.qcow2 appeared since the plan was made \(raw, 4 KiB file\); nothing was overwritten/,
        ),
      },
    });
    // A confirmed overwrite, or a path still free, runs as planned.
    const confirmed = structuredClone(plan);
    confirmed.steps[1]!.createsFile = { path: '/i/new.qcow2', overwriteConfirmed: true };
    expect(
      (
        await runPlan(client, confirmed, {
          lookUpPath: () => Promise.reject(new Error('not asked')),
        })
      ).ok,
    ).toBe(true);
    const free = await runPlan(client, plan, {
      lookUpPath: (path) => Promise.resolve({ path, exists: false }),
    });
    expect(free.ok).toBe(true);
  });

  describe('a plan that follows its job', () => {
    // A graph where 'tgt' (over 'tgt-file') is unused and 'src' is held by a device.
    const named = (name: string, drv: string) => ({
      'node-name': name,
      drv,
      file: `/images/${name}`,
      ro: false,
      image: { 'virtual-size': 1 << 20 },
    });
    const after: LiveState = {
      nodes: [named('src', 'qcow2'), named('tgt', 'qcow2'), named('tgt-file', 'file')],
      graph: {
        nodes: [
          { id: 1, type: 'block-backend', name: 'vda' },
          { id: 2, type: 'block-driver', name: 'src' },
          { id: 3, type: 'block-driver', name: 'tgt' },
          { id: 4, type: 'block-driver', name: 'tgt-file' },
        ],
        edges: [
          { parent: 1, child: 2, name: 'root', perm: [], 'shared-perm': [] },
          { parent: 3, child: 4, name: 'file', perm: [], 'shared-perm': [] },
        ],
      },
      blocks: [],
      jobs: [],
      exports: [],
      throttleGroups: [],
      nbdServer: { state: 'unknown' },
      commands: new Set(),
    };
    const followed = (end: Partial<Plan['end']> = {}): Plan => ({
      summary: '',
      jobIds: ['j'],
      steps: [
        step('blockdev-add', {
          undo: { command: 'blockdev-del', arguments: { 'node-name': 'tgt' } },
        }),
        step('blockdev-backup', { arguments: { 'job-id': 'j' } }),
      ],
      end: {
        job: 'j',
        dismiss: true,
        explanation: '',
        closeUnused: ['tgt-file', 'src', 'tgt'],
        createdFiles: ['/images/tgt.qcow2'],
        ...end,
      },
    });
    const jobsThen = (...lists: JobInfo[][]) => {
      const updates = lists.slice(1);
      return {
        first: lists[0] ?? [],
        updates: { next: () => Promise.resolve(updates.shift() ?? []) },
      };
    };
    const job = (status: string, error?: string): JobInfo => ({
      id: 'j',
      type: 'backup',
      status,
      'current-progress': 1,
      'total-progress': 2,
      ...(error ? { error } : {}),
    });

    it('waits for the end, dismisses the job and closes what nothing uses, parents first', async () => {
      const script = jobsThen([job('running')], [job('running')], [job('concluded')]);
      const client = scripted({ 'query-jobs': () => script.first });
      const seen: string[] = [];
      const result = await runPlan(client, followed(), {
        jobUpdates: script.updates,
        readLive: () => Promise.resolve(after),
        onJob: (j) => seen.push(j.status),
      });
      expect(client.sent).toEqual([
        'blockdev-add',
        'blockdev-backup',
        'query-jobs',
        'job-dismiss',
        'blockdev-del',
        'blockdev-del',
      ]);
      expect(seen).toEqual(['running', 'running', 'concluded']);
      expect(result).toMatchObject({
        ok: true,
        end: { outcome: 'succeeded', closed: ['tgt', 'tgt-file'], problems: [] },
      });
    });

    it('undoes every step and names the incomplete file when the job fails', async () => {
      const client = scripted({
        'query-jobs': () => [job('concluded', 'No space left on device')],
      });
      const result = await runPlan(client, followed(), { readLive: () => Promise.resolve(after) });
      expect(client.sent).toEqual([
        'blockdev-add',
        'blockdev-backup',
        'query-jobs',
        'job-dismiss',
        'blockdev-del',
      ]);
      expect(result).toMatchObject({
        ok: false,
        failure: { index: 1, job: 'j', message: 'No space left on device', undoErrors: [] },
        end: { outcome: 'failed', closed: [], incompleteFiles: ['/images/tgt.qcow2'] },
      });
    });

    it('asks the state whether a job that vanished did its work', async () => {
      const client = scripted({ 'query-jobs': () => [] });
      const done = await runPlan(client, followed({ dismiss: false, succeeded: () => true }), {
        readLive: () => Promise.resolve(after),
      });
      expect(done).toMatchObject({
        ok: true,
        end: { outcome: 'succeeded', closed: ['tgt', 'tgt-file'] },
      });
      const failed = await runPlan(client, followed({ dismiss: false, succeeded: () => false }), {
        readLive: () => Promise.resolve(after),
      });
      expect(failed).toMatchObject({
        ok: false,
        failure: { message: /without finishing its work/ },
      });
    });

    it('touches nothing when it stops following (QEMU went away)', async () => {
      const client = scripted({ 'query-jobs': () => [job('running')] });
      const result = await runPlan(client, followed(), {
        jobUpdates: { next: () => Promise.reject(new Error('QEMU went away while the job ran')) },
      });
      expect(client.sent).toEqual(['blockdev-add', 'blockdev-backup', 'query-jobs']);
      expect(result).toMatchObject({
        ok: true,
        end: {
          outcome: 'unknown',
          problems: [expect.stringMatching(/QEMU went away.*nothing was cleaned up/)],
        },
      });
    });
  });
});
