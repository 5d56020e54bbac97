// What Linux's /proc says about the processes under test: which child is the proxy, its resident
// memory, and the CPU time a process has used (to charge a workload's cost to each process).
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of this process's child whose command line contains `marker` (e.g. its --target). */
export function childPid(marker: string): number {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    for (const pid of children.split(' ').filter(Boolean)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) return Number(pid);
    }
  }
  throw new Error(`no child process with ${marker} in its command line`);
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) / 1024;
}

/** User + system CPU time used so far, in ms (the kernel counts in 10 ms ticks). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
