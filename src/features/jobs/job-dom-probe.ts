// For the benchmark "job event at the proxy → Jobs panel shows it" (DESIGN.md quality bars).
// Runs inside the page through Playwright's page.evaluate, so it is self-contained: no imports,
// no closures. It relies only on what the panel promises to assistive technology: each job is
// an article named "Job <id>" whose status is a `status` role named "Status of <id>".

export interface JobStatusProbe {
  jobId: string;
  /** The words the panel shows, e.g. "Paused" or "Ready to complete". */
  text: string;
  timeoutMs?: number;
}

/** Resolves with Date.now() at the first DOM change that shows `text` as the job's status. */
export function whenJobStatusShown({
  jobId,
  text,
  timeoutMs = 30_000,
}: JobStatusProbe): Promise<number> {
  const shown = () =>
    document.querySelector(`[role="status"][aria-label="Status of ${CSS.escape(jobId)}"]`)
      ?.textContent === text;
  return new Promise((resolve, reject) => {
    if (shown()) {
      resolve(Date.now());
      return;
    }
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(Date.now());
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`job ${jobId} did not show "${text}" within ${timeoutMs} ms`));
    }, timeoutMs);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}
