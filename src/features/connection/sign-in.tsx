// What a page without a session shows: that the server was reached and wants a token, where the
// token comes from, and a field to paste it into. A link with #token= signs in by itself.
import { useState, type FormEvent } from 'react';
import { signIn, type SignInResult } from '../../api/session.ts';

export function SignIn({
  linkRefused,
  sessionEnded = false,
  onSignedIn,
}: {
  /** The token in the link the page was opened with was not accepted. */
  linkRefused: boolean;
  /** This page was signed in, and the server no longer accepts its session. */
  sessionEnded?: boolean;
  onSignedIn(): void;
}) {
  const [token, setToken] = useState('');
  const [result, setResult] = useState<SignInResult | 'failed' | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const given = token.trim().replace(/^#?token=/, '');
    if (given === '') return;
    setBusy(true);
    try {
      const outcome = await signIn(given);
      setResult(outcome);
      if (outcome === 'accepted') onSignedIn();
    } catch {
      setResult('failed');
    } finally {
      setBusy(false);
    }
  };
  const refused = result === 'refused' || (result === null && linkRefused);
  return (
    <main className="grid flex-1 place-items-center p-4">
      <form
        onSubmit={(e) => void submit(e)}
        aria-labelledby="sign-in-title"
        className="flex w-[32rem] max-w-full flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900"
      >
        <h2 id="sign-in-title" className="text-lg font-semibold">
          Sign in to this Blockscope server
        </h2>
        <p className="text-slate-700 dark:text-slate-300">
          The server is running and answers, but this browser has no session with it. Open the link
          the server printed when it started (it ends in <code>#token=…</code>), or paste its token
          here. <code>blockscope serve</code> keeps the operator token in its token file (
          <code>--token-file</code>, by default <code>~/.config/blockscope/token</code>).
        </p>
        {sessionEnded && result === null && (
          <p role="alert" className="text-amber-800 dark:text-amber-200">
            Your session with this server ended: it no longer accepts this browser's sign-in (it was
            restarted with a new token, or the session expired). Sign in again.
          </p>
        )}
        {refused && (
          <p role="alert" className="text-red-700 dark:text-red-300">
            That token is not accepted by this server: it may belong to another server, or the
            server was started with a new token.
          </p>
        )}
        {result === 'failed' && (
          <p role="alert" className="text-red-700 dark:text-red-300">
            The server did not answer the sign-in; try again.
          </p>
        )}
        <label className="flex flex-col gap-1">
          <span className="font-medium">Token</span>
          <input
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            className="rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-600 dark:bg-slate-950"
          />
        </label>
        <button
          type="submit"
          disabled={busy || token.trim() === ''}
          className="self-start rounded bg-sky-700 px-3 py-1 font-medium text-white enabled:hover:bg-sky-800 disabled:opacity-50"
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
