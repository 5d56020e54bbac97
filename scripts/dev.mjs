#!/usr/bin/env node
// `npm run dev`: the demo QEMU and proxy on 127.0.0.1:7780, plus Vite's dev server with hot reload
// in front of it. Open the URL printed here (Vite's port, with the proxy's token).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

const proxyListen = process.env.BLOCKSCOPE_DEV_LISTEN ?? '127.0.0.1:7780';
const children = [];

function start(command, args, env = {}) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${command} ${args[0] ?? ''} exited (${code}); stopping`);
      stop();
    }
  });
  return child;
}

let stopping = false;
function stop() {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// The proxy is compiled JavaScript (dist-server/) and wants a built page to exist beside Vite's:
// compile the server each time, and build the page only on the first run.
const build = existsSync('dist/static-manifest.json') ? 'build:server' : 'build';
if (spawnSync('npm', ['run', build, '--silent'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);
const demo = start(process.execPath, ['bin/blockscope', 'demo', '--listen', proxyListen]);
const token = await new Promise((resolve) => {
  createInterface({ input: demo.stdout }).on('line', (line) => {
    const match = /#token=(\S+)/.exec(line);
    if (match) resolve(match[1]);
  });
});
const vite = start('npx', ['vite', '--strictPort'], {
  BLOCKSCOPE_DEV_PROXY: `http://${proxyListen}`,
});
createInterface({ input: vite.stdout }).on('line', (line) => {
  const match = /Local:\s+(http:\/\/\S+?)\/?$/.exec(
    line.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), ''),
  );
  if (match) console.log(`Blockscope (dev): ${match[1]}/#token=${token}`);
});
