'use strict';
/**
 * Test-side helpers for the self-checks: spawns a JSON-lines driver as a child process and
 * drives it exactly as the .NET tests do (commands on stdin, events on stdout), with
 * bounded waits only. Used by selfcheck-socketio.js.
 */
const readline = require('node:readline');
const { spawn } = require('node:child_process');

const DEFAULT_WAIT_MS = 5_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class DriverProcess {
  /** @param {string} script absolute path of the driver script */
  constructor(script, { env } = {}) {
    this.events = [];
    this.badLines = [];
    this.waiters = new Set();
    this.child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: env || process.env });
    this.stderr = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdin.on('error', () => {}); // writing after the child exited must not crash the check
    // 'close' (not 'exit'): fires once stdout has been fully read, so every line is in `events`.
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
    const rl = readline.createInterface({ input: this.child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    // The protocol promises pure-ASCII JSON objects, one per line.
    if (!/^[\x20-\x7e]*$/.test(line)) this.badLines.push(line);
    let ev;
    try {
      ev = JSON.parse(line);
    } catch {
      this.badLines.push(line);
      return;
    }
    if (ev === null || typeof ev !== 'object' || typeof ev.event !== 'string') {
      this.badLines.push(line);
      return;
    }
    this.events.push(ev);
    for (const w of [...this.waiters]) w();
  }

  send(cmd) {
    this.child.stdin.write((typeof cmd === 'string' ? cmd : JSON.stringify(cmd)) + '\n');
  }

  /** Index to pass as `from` so a later wait only sees events that arrive after now. */
  mark() {
    return this.events.length;
  }

  /** Resolves with the first event (at index >= from) matching pred; rejects after timeoutMs. */
  waitFor(pred, label, { from = 0, timeoutMs = DEFAULT_WAIT_MS } = {}) {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.events.length; i++) {
          if (pred(this.events[i])) {
            cleanup();
            resolve(this.events[i]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Events since `from` for one id (and event name, if given). */
  eventsFor(id, event, from = 0) {
    return this.events.slice(from).filter((e) => e.id === id && (!event || e.event === event));
  }

  async waitExit(timeoutMs = DEFAULT_WAIT_MS) {
    const timeout = sleep(timeoutMs).then(() => null);
    return Promise.race([this.exited, timeout]);
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Polls fn() every 20 ms until it returns a truthy value or timeoutMs passes; returns the last value. */
async function until(fn, timeoutMs = DEFAULT_WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let value = fn();
  while (!value && Date.now() < deadline) {
    await sleep(20);
    value = fn();
  }
  return value;
}

module.exports = { DriverProcess, sleep, until, DEFAULT_WAIT_MS };
