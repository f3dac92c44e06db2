import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileFor, lockScope, OutputLock, OutputLockedError, processStartTicks, type LockHolder } from '../index';

/** The pid of a process that has exited (so no live process has it, for a while). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('output lock', () => {
  let dir: string;
  let out: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lock-'));
    out = join(dir, 'out');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeHolder = (scope: string, holder: Partial<LockHolder>) =>
    writeFile(
      lockFileFor(out, scope),
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'apollo crawl', scope, ...holder }),
    );

  it('is held by one run: a second one is refused at once with the holder named', async () => {
    const lock = await OutputLock.acquire(out, 'run', 'first run');
    const held = JSON.parse(await readFile(`${out}.lock`, 'utf8')) as LockHolder;
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), scope: 'run', command: 'first run' });
    const second = OutputLock.acquire(out, 'run', 'second run');
    await expect(second).rejects.toBeInstanceOf(OutputLockedError);
    await expect(OutputLock.acquire(out)).rejects.toThrow(`${out} is in use by another run: pid ${process.pid} on ${hostname()}`);
    await lock.release();
    expect(existsSync(`${out}.lock`)).toBe(false);
    await (await OutputLock.acquire(out)).release();
  });

  it('takes over the lock of a run that died on this host', async () => {
    await writeHolder('run', { pid: deadPid() });
    const lock = await OutputLock.acquire(out, 'run', 'next run');
    expect(JSON.parse(await readFile(`${out}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, command: 'next run' });
    await lock.release();
  });

  it('takes over the lock of a run that exited and was not reaped (a zombie)', async () => {
    // The forked child exits at once; its parent sleeps and never reaps it.
    const script = 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)';
    const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((done) => parent.stdout!.once('data', (d: Buffer) => done(d.toString()))));
      while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 5));
      await writeHolder('run', { pid: zombie });
      await (await OutputLock.acquire(out)).release();
    } finally {
      parent.kill();
    }
  });

  it('takes over a lock whose pid now belongs to another process (started at another time)', async () => {
    const ticks = processStartTicks(process.pid);
    if (ticks === undefined) return; // no /proc: pids cannot be told apart here
    await writeHolder('run', { pid: process.pid, procStart: ticks + 1 });
    await (await OutputLock.acquire(out)).release();
  });

  it("respects another host's lock, whatever its pid", async () => {
    await writeHolder('run', { pid: deadPid(), host: 'another-host.example' });
    await expect(OutputLock.acquire(out)).rejects.toThrow(/on another-host\.example \(another host\).*delete .*out\.lock/);
  });

  it('lets tasks of a cluster run hold the folder together, but not beside a whole run or the same task', async () => {
    const rank0 = await OutputLock.acquire(out, lockScope({ rank: 0 }));
    const rank1 = await OutputLock.acquire(out, lockScope({ rank: 1 }));
    await expect(OutputLock.acquire(out, lockScope({ rank: 1 }))).rejects.toBeInstanceOf(OutputLockedError);
    // A phase run over all ranks overlaps every rank's task.
    await expect(OutputLock.acquire(out, lockScope({ phase: 'filter' }))).rejects.toBeInstanceOf(OutputLockedError);
    await expect(OutputLock.acquire(out)).rejects.toBeInstanceOf(OutputLockedError);
    expect(existsSync(`${out}.lock`)).toBe(false);
    await rank0.release();
    await rank1.release();
    const whole = await OutputLock.acquire(out);
    await expect(OutputLock.acquire(out, lockScope({ rank: 3, phase: 'filter' }))).rejects.toThrow(/in use by another run/);
    await whole.release();
    // Another folder whose name starts alike is another folder.
    const other = await OutputLock.acquire(`${out}.x`);
    await (await OutputLock.acquire(out)).release();
    await other.release();
  });

  it('removes only its own lock file', async () => {
    const lock = await OutputLock.acquire(out);
    await writeHolder('run', { pid: process.pid, startedAt: '2030-01-01T00:00:00.000Z', command: 'someone else' });
    await lock.release();
    expect(existsSync(`${out}.lock`)).toBe(true);
  });

  it('names a lock file it cannot read', async () => {
    await writeFile(`${out}.lock`, 'not json');
    await expect(OutputLock.acquire(out)).rejects.toThrow(`${out}.lock: not a lock file of this tool`);
  });
});
