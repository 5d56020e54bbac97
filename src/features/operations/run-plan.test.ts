// The runner against a scripted executor, for what a real QEMU will not do on demand: the
// proxy's "overloaded" answer, and the exact order of undo steps.
import { describe, expect, it } from 'vitest';
import { ProxyErrorClass, QmpError } from '../../qmp/errors.ts';
import type { JsonObject } from '../../qmp/wire.ts';
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
});
