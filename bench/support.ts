// What the database benchmarks share: the PostgreSQL server and a fresh database to run on, the
// machine they ran on, clean-up on exit or Ctrl-C, and the formatting of figures and progress.
//
// The benchmarks' output is read by people (figures on stdout, progress on stderr) and by machines
// (the last line of stdout is one JSON object): helpers here print exactly what the benchmarks
// printed before they shared them, so earlier results stay comparable.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// ---------------------------------------------------------------------------------------------
// Figures and progress.

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Seconds elapsed since `since`, a `performance.now()` reading. */
export const seconds = (since: number) => (performance.now() - since) / 1000;

/** Prints a line to stdout. */
export const out = (line = '') => process.stdout.write(`${line}\n`);

/** The last line of stdout: one JSON object, for whatever collects the results. */
export function printResult(result: object): void {
  out(JSON.stringify(result));
}

/**
 * A progress line on stderr: rewritten in place on a terminal, otherwise printed at most once every
 * `everyMs` so that logs of long runs stay short.
 */
export function progressLine(everyMs: number) {
  return {
    tty: process.stderr.isTTY === true,
    lastLine: '',
    lastPrint: 0,
    update(line: string, force = false) {
      if (this.tty) {
        process.stderr.write(`\r${line.padEnd(this.lastLine.length)}`);
        this.lastLine = line;
      } else if (force || Date.now() - this.lastPrint > everyMs) {
        process.stderr.write(`${line}\n`);
        this.lastPrint = Date.now();
      }
    },
    done(line?: string) {
      if (line !== undefined) this.update(line, true);
      if (this.tty && this.lastLine) process.stderr.write('\n');
      this.lastLine = '';
    },
  };
}

/**
 * The process's highest resident set size, as the kernel keeps it (ru_maxrss): exact, where
 * sampling would miss a short peak, and free, where reading `process.memoryUsage()` every few
 * milliseconds took a share of the thread being measured. resetPeakRss starts the peak again from
 * what is resident now (Linux's clear_refs; elsewhere the peak runs from the process's start). The peak
 * is what decides whether a run fits in a machine's memory.
 */
export function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: the peak counts from the start.
  }
}

/** The peak since the process's start or the last resetPeakRss, in bytes. */
export const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

// ---------------------------------------------------------------------------------------------
// The machine.

/** The CPU, as every benchmark reports it (the ones without a database report no more). */
export function cpuInfo() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  platform: string;
  /** Nanoseconds a read waits (memoryReadNs): within the processor's caches, and from memory. */
  readNs: { cached: number; memory: number };
}

/**
 * Nanoseconds per read of a random walk over `bytes` of memory, each read waiting for the one
 * before: the slots form one cycle in random order (Sattolo's shuffle), so no prefetch helps.
 * Within the caches it is a few nanoseconds; from memory it is what a cache miss costs, which on a
 * shared machine drifts with its neighbours (~230 ns on this project's 2-core machine on a slow day,
 * against ~17 ns within 1 MiB) and decides the pace of code that walks many objects.
 */
export function memoryReadNs(bytes: number, reads: number): number {
  const n = bytes >> 2;
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  let seed = 20260101;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % i;
    const t = next[i]!;
    next[i] = next[j]!;
    next[j] = t;
  }
  let p = 0;
  for (let k = 0; k < Math.min(n, reads); k++) p = next[p]!;
  const t0 = performance.now();
  for (let k = 0; k < reads; k++) p = next[p]!;
  const ns = ((performance.now() - t0) * 1e6) / reads;
  if (p < 0) throw new Error('unreachable'); // p is used: the walk is not optimised away
  return Math.round(ns * 10) / 10;
}

/** The machine and software a database benchmark ran on, as its JSON line reports them. */
export async function machineInfo(pool: pg.Pool): Promise<Machine> {
  const postgres = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!
    .server_version;
  return {
    ...cpuInfo(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    platform: `${os.platform()} ${os.release()}`,
    readNs: { cached: memoryReadNs(256 << 10, 4_000_000), memory: memoryReadNs(64 << 20, 1_000_000) },
  };
}

export function printMachine(machine: Machine): void {
  out(
    `  machine        ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}`,
  );
  out(`  software       Node ${machine.node}, PostgreSQL ${machine.postgres}`);
  out(
    `  memory reads   ${fmt(machine.readNs.cached, 1)} ns each within 256 KiB, ${fmt(machine.readNs.memory, 1)} ns across 64 MiB (random, one after another: what a cache miss costs now)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Running and cleaning up.

/**
 * Steps to undo what a benchmark set up (server, database, runtime…), run last-in first-out so
 * that each one runs before what it depends on is gone. They also run on Ctrl-C or SIGTERM: an
 * interrupted benchmark must not leave a PostgreSQL server running or a bench_* database behind.
 */
export class Cleanups {
  private readonly steps: (() => unknown)[] = [];

  constructor() {
    const onSignal = (sig: NodeJS.Signals) => {
      process.stderr.write(`\n${sig}: cleaning up…\n`);
      void this.run().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step, even when one fails: a failed step is reported and the others still run. */
  async run(): Promise<void> {
    while (this.steps.length) {
      try {
        await this.steps.pop()!();
      } catch (e) {
        process.stderr.write(`cleanup: ${(e as Error).message}\n`);
      }
    }
  }
}

/**
 * Runs a benchmark's main and exits with its code; on an error, `beforeError` runs first (e.g. to
 * end a progress line) so that the message starts on a line of its own.
 */
export function runBench(name: string, main: () => Promise<number>, beforeError?: () => void): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      beforeError?.();
      process.stderr.write(
        `bench:${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The server: DATABASE_URL, or a throwaway one.

const PG_SERVER = fileURLToPath(new URL('../scripts/pg-server.sh', import.meta.url));

/** A port free right now; the server takes it a moment later, which is good enough for a benchmark. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tollbooth-bench-'));
  const port = await freePort();
  process.stderr.write(`No DATABASE_URL: starting a throwaway PostgreSQL server on port ${port}…\n`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync('bash', [PG_SERVER, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const out = execFileSync('bash', [PG_SERVER, 'start', dir, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const url = out.trim().split('\n').pop() ?? '';
    if (!url.startsWith('postgres://')) throw new Error(`pg-server.sh printed no URL: ${out}`);
    return { url, stop };
  } catch (e) {
    // A server that started but printed no usable URL must not outlive the benchmark.
    stop();
    throw e;
  }
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * A fresh, empty database for one run: on the server of DATABASE_URL when it is set, otherwise on
 * a throwaway server started for the run. Dropping it (and stopping that server) is added to
 * `cleanups`. Returns the new database's URL and name, and the server's URL (`baseUrl`).
 */
export async function benchDatabase(cleanups: Cleanups): ReturnType<typeof databaseOn> {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const server = await startServer();
    cleanups.add(() => server.stop());
    baseUrl = server.url;
  }
  return databaseOn(cleanups, baseUrl);
}

/**
 * Another database on the bench's server (`baseUrl`), dropped by `cleanups` (or sooner, by the
 * `drop` returned): empty, or a copy of `template` (a database of that server nobody is connected
 * to). Returns its URL and the server's.
 */
export async function databaseOn(
  cleanups: Cleanups,
  baseUrl: string,
  template?: string,
): Promise<{ url: string; baseUrl: string; name: string; drop: () => Promise<void> }> {
  // A random name: runs on a shared server never meet each other's data.
  const name = `bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(
    baseUrl,
    `CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`,
  );
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  cleanups.add(drop);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), baseUrl, name, drop };
}

// ---------------------------------------------------------------------------------------------
// The server's CPU time: a benchmark's wall time alone does not say which side was busy.

const TICKS_PER_SECOND = 100; // USER_HZ, fixed by the Linux /proc ABI

/** A process's (or, by `task/…`, a thread's) parent and CPU ticks, from /proc; undefined elsewhere. */
function procStat(path: number | string) {
  try {
    const text = readFileSync(`/proc/${path}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14)
    return {
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      reaped: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds this process's main thread (the one JavaScript runs on) has used, beside what
 * process.cpuUsage() counts for all its threads (V8's compiler and garbage collector helpers, file
 * reads); undefined where /proc cannot tell.
 */
export function mainThreadCpuSeconds(): number | undefined {
  const own = procStat(`self/task/${process.pid}`)?.own;
  return own === undefined ? undefined : own / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by a local PostgreSQL server (postmaster, its live processes and the
 * ones it reaped), read from /proc; undefined when the server is not on this Linux machine.
 */
function serverCpuReader(backendPid: number): (() => number | undefined) | undefined {
  const backend = procStat(backendPid);
  if (!backend) return undefined;
  const postmaster = backend.ppid;
  try {
    if (!readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes('postgres')) return undefined;
  } catch {
    return undefined;
  }
  return () => {
    const pm = procStat(postmaster);
    if (!pm) return undefined;
    let ticks = pm.own + pm.reaped;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const p = procStat(name);
      if (p?.ppid === postmaster) ticks += p.own;
    }
    return ticks / TICKS_PER_SECOND;
  };
}

/**
 * Starts measuring the CPU time of the server behind `pool`; the function returned gives the
 * seconds it used since, or null when that cannot be read (a remote server, or not Linux).
 */
export async function serverCpuStopwatch(pool: pg.Pool, baseUrl: string): Promise<() => number | null> {
  const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  // A server on another machine may have a process with the same pid here: only trust local ones.
  const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(baseUrl).hostname);
  const read = local ? serverCpuReader(pid) : undefined;
  const before = read?.();
  return () => {
    const after = read?.();
    return before !== undefined && after !== undefined ? after - before : null;
  };
}

/** Prints the usage text and ends the process (for --help). */
export function exitWithUsage(usage: string): never {
  process.stdout.write(usage);
  process.exit(0);
}

/** A whole-number option from 1 to `max`, or an error that names the option. */
export function wholeNumber(name: string, v: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}, got "${v}".`);
  }
  return Number(v);
}
