#!/usr/bin/env node
'use strict';
/**
 * Headless browser driver for the .NET end-to-end tests: Chromium through playwright-core.
 *
 * Reads one JSON command per line on stdin, writes one JSON event per line on stdout (pure
 * ASCII, nothing else; diagnostics go to stderr). Each page runs in its own browser context
 * (separate cookies and storage, as two users), named by a caller-chosen "id". Commands run
 * concurrently; each one answers exactly once, with {"event":"done","seq":n,...} or
 * {"event":"error","seq":n,"message":...}, so give every command a distinct "seq".
 * Every wait is bounded ("timeout" in ms, default 10 000, at most 60 000).
 * The protocol is documented in README.md next to this file ("## browser-driver.js protocol").
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { emit, log } = require('./lib/jsonl');

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;
const LAUNCH_TIMEOUT_MS = 30_000;
const EXIT_GRACE_MS = 3_000;
/** Safety net: a driver whose parent forgot it must not live forever (0 disables). */
const MAX_LIFETIME_MS = Number(process.env.BROWSER_DRIVER_MAX_LIFETIME_MS ?? 10 * 60 * 1000);
/** Debian's chromium package; CHROMIUM_PATH or the launch command's executablePath override it. */
const DEFAULT_CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Suitable for root in a container: no sandbox, no /dev/shm, no GPU. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];

let playwright = null;
let browser = null;
let exiting = false;
/** @type {Map<string, {context: import('playwright-core').BrowserContext, page: import('playwright-core').Page}>} */
const pages = new Map();

const timeoutOf = (cmd) => Math.min(Math.max(Number(cmd.timeout ?? DEFAULT_TIMEOUT_MS), 1), MAX_TIMEOUT_MS);

function pageOf(cmd) {
  const entry = pages.get(cmd.id);
  if (!entry) throw new Error(`no page "${cmd.id}" (open it first)`);
  return entry.page;
}

function required(cmd, field) {
  if (typeof cmd[field] !== 'string' || cmd[field] === '') throw new Error(`"${field}" (a non-empty string) is required`);
  return cmd[field];
}

/** A locator for cmd.selector, narrowed to elements containing cmd.text (substring) when given. */
function locate(cmd) {
  let locator = pageOf(cmd).locator(required(cmd, 'selector'));
  if (typeof cmd.text === 'string') locator = locator.filter({ hasText: cmd.text });
  return locator.first();
}

const handlers = {
  async launch(cmd) {
    if (browser) throw new Error('already launched');
    const executablePath = cmd.executablePath || DEFAULT_CHROMIUM;
    if (!fs.existsSync(executablePath)) {
      throw new Error(`Chromium not found at ${executablePath} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
    }
    browser = await playwright.chromium.launch({
      executablePath,
      headless: cmd.headless !== false,
      chromiumSandbox: false,
      args: [...CHROMIUM_ARGS, ...(Array.isArray(cmd.args) ? cmd.args : [])],
      timeout: LAUNCH_TIMEOUT_MS,
    });
    return { version: browser.version(), executablePath };
  },

  async open(cmd) {
    const id = required(cmd, 'id');
    if (!browser) throw new Error('launch first');
    if (pages.has(id)) throw new Error(`page "${id}" is already open`);
    const context = await browser.newContext({ viewport: cmd.viewport || { width: 1000, height: 700 } });
    const page = await context.newPage();
    pages.set(id, { context, page });
    page.on('console', (m) => emit({ event: 'console', id, type: m.type(), text: m.text() }));
    page.on('pageerror', (err) => emit({ event: 'pageerror', id, message: String(err && err.stack || err) }));
    page.on('requestfailed', (r) => emit({ event: 'requestfailed', id, url: r.url(), failure: r.failure()?.errorText ?? null }));
    const response = await page.goto(required(cmd, 'url'), { timeout: timeoutOf(cmd), waitUntil: 'load' });
    return { status: response ? response.status() : null, title: await page.title() };
  },

  async fill(cmd) {
    await locate(cmd).fill(String(cmd.value ?? ''), { timeout: timeoutOf(cmd) });
    return {};
  },

  async type(cmd) {
    await locate(cmd).pressSequentially(String(cmd.value ?? ''), { delay: Number(cmd.delay ?? 20), timeout: timeoutOf(cmd) });
    return {};
  },

  async press(cmd) {
    await locate(cmd).press(required(cmd, 'key'), { timeout: timeoutOf(cmd) });
    return {};
  },

  async click(cmd) {
    await locate(cmd).click({ timeout: timeoutOf(cmd) });
    return {};
  },

  /** Waits until an element matches (selector, optional text) and reports its text and data-* attributes. */
  async wait(cmd) {
    const locator = locate(cmd);
    await locator.waitFor({ state: cmd.state || 'attached', timeout: timeoutOf(cmd) });
    return describeElement(locator, cmd);
  },

  /** The text of every element matching the selector (no waiting). */
  async texts(cmd) {
    return { texts: await pageOf(cmd).locator(required(cmd, 'selector')).allTextContents() };
  },

  /** Evaluates a JavaScript expression in the page and returns its (JSON) value. */
  async eval(cmd) {
    return { value: await pageOf(cmd).evaluate(required(cmd, 'expression')) ?? null };
  },

  async screenshot(cmd) {
    const file = path.resolve(required(cmd, 'path'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await pageOf(cmd).screenshot({ path: file, fullPage: cmd.fullPage !== false, timeout: timeoutOf(cmd) });
    return { path: file };
  },

  async close(cmd) {
    const entry = pages.get(required(cmd, 'id'));
    if (!entry) throw new Error(`no page "${cmd.id}"`);
    pages.delete(cmd.id);
    await entry.context.close();
    return {};
  },

  async exit() {
    beginExit();
    return {};
  },
};

async function describeElement(locator, cmd) {
  const timeout = timeoutOf(cmd);
  const [text, data] = await Promise.all([
    locator.textContent({ timeout }),
    locator.evaluate((el) => ({ ...el.dataset }), undefined, { timeout }),
  ]);
  return { text, data };
}

async function run(cmd) {
  const handler = Object.prototype.hasOwnProperty.call(handlers, cmd.cmd) ? handlers[cmd.cmd] : null;
  const base = { seq: cmd.seq ?? null, cmd: cmd.cmd ?? null };
  if (cmd.id !== undefined) base.id = cmd.id;
  if (!handler) {
    emit({ event: 'error', ...base, message: `unknown command ${JSON.stringify(cmd.cmd)}` });
    return;
  }
  if (exiting && cmd.cmd !== 'exit') {
    emit({ event: 'error', ...base, message: 'driver is exiting' });
    return;
  }
  try {
    const result = await handler(cmd);
    emit({ event: 'done', ...base, ...result });
  } catch (err) {
    emit({ event: 'error', ...base, message: String(err && err.message || err).split('\n')[0], detail: String(err && err.stack || err) });
  }
}

function beginExit() {
  if (exiting) return;
  exiting = true;
  const done = () => process.stdout.write('', () => process.exit(0));
  setTimeout(done, EXIT_GRACE_MS).unref();
  (browser ? browser.close() : Promise.resolve()).catch((err) => log('closing the browser failed:', err && err.stack)).finally(done);
}

function main() {
  try {
    playwright = require('playwright-core');
  } catch (err) {
    emit({ event: 'driver-error', message: `cannot load playwright-core: ${err.message} (run npm ci in ${__dirname})` });
    process.exit(2);
  }
  if (MAX_LIFETIME_MS > 0) {
    setTimeout(() => {
      log(`browser-driver: max lifetime ${MAX_LIFETIME_MS} ms reached, exiting`);
      beginExit();
    }, MAX_LIFETIME_MS).unref();
  }

  process.stdin.setEncoding('utf8');
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (err) {
      emit({ event: 'driver-error', message: `not JSON: ${err.message}`, line });
      return;
    }
    if (cmd === null || typeof cmd !== 'object' || typeof cmd.cmd !== 'string') {
      emit({ event: 'driver-error', message: 'a command is an object with a "cmd" string', line });
      return;
    }
    run(cmd);
  });
  rl.on('close', beginExit); // stdin ended: the parent is done with us

  const version = require('playwright-core/package.json').version;
  emit({ event: 'ready', pid: process.pid, playwright: version, chromium: DEFAULT_CHROMIUM, chromiumFound: fs.existsSync(DEFAULT_CHROMIUM) });
}

main();
