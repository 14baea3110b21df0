// Throughput of the JavaScript reference stack, for bench/run.py (which compares it with
// mosaics.vc on the same credential and key in the same run).
//
//   node interop/bench.mjs <config.json>
//
// config: {credential, key: {publicKeyMultibase, secretKeyMultibase, id, controller}, created,
//          operations: ["eddsa-rdfc-2022 sign", ...], duration, warmup, iterations, workers,
//          variants}
// Prints one JSON object: {node, results: {operation: {single: {ops, seconds, rate},
// all: {...}}}}. "single" runs in the main thread (best of three windows); "all" in `workers`
// worker threads at once (one window), started together through a shared-memory barrier; the
// rate of "all" is the sum of the workers' rates. Each measurement runs `iterations` operations when given, else as many as
// fit in `duration` seconds, after `warmup` seconds (or one operation) of warm-up.
//
// Operations mirror bench/run.py: sign = jsigs.sign with AssertionProofPurpose (what
// mosaics.vc.dataintegrity.sign does), verify = jsigs.verify with AssertionProofPurpose (proof
// only, like mosaics.vc.dataintegrity.verify), "Ed25519 sign" = node:crypto over 64 bytes with
// a ready key object (the floor: what signing costs without any canonicalization).
import {readFileSync} from 'node:fs';
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads';
import crypto from 'node:crypto';

import jsigs from 'jsonld-signatures';

import {createDocumentLoader} from './lib/loader.mjs';
import {importKey, signingSuite, verifyingSuites} from './lib/suites.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;
// Distinct credentials (only the id differs), so nothing can be served from a cache of results.
function variants(credential, count) {
  return Array.from({length: count}, (_, i) => ({
    ...structuredClone(credential), id: `urn:example:bench:${i}`,
  }));
}

async function prepare(config, operation) {
  const keyPair = await importKey(config.key);
  const documentLoader = createDocumentLoader();
  const purpose = new AssertionProofPurpose();
  const count = config.variants ?? 16;
  const credentials = variants(config.credential, count);
  if(operation === 'Ed25519 sign') {
    const seed = keyPair.secretKey.subarray(0, 32);
    const privateKey = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der', type: 'pkcs8',
    });
    const data = crypto.randomBytes(64);
    return async () => crypto.sign(null, data, privateKey);
  }
  const [cryptosuite, action] = operation.split(' ');
  const suite = signingSuite({cryptosuite, keyPair, created: config.created});
  if(action === 'sign') {
    let i = 0;
    return async () => {
      const credential = structuredClone(credentials[i++ % count]);
      return jsigs.sign(credential, {suite, purpose, documentLoader});
    };
  }
  if(action === 'verify') {
    const signed = [];
    for(const credential of credentials) {
      signed.push(await jsigs.sign(
        structuredClone(credential), {suite, purpose, documentLoader}));
    }
    const suites = verifyingSuites();
    let i = 0;
    return async () => {
      const result = await jsigs.verify(structuredClone(signed[i++ % count]), {
        suite: suites, purpose, documentLoader,
      });
      if(!result.verified) {
        throw new Error(`verify failed: ${result.error}`);
      }
      return result;
    };
  }
  throw new Error(`Unknown operation "${operation}".`);
}

async function measure(run, {duration, warmup, iterations}) {
  const warmupEnd = performance.now() + warmup * 1000;
  do {
    await run();
  } while(performance.now() < warmupEnd && !iterations);
  return () => timed(run, {duration, iterations});
}

// The fastest of three windows: interference from other work only ever slows a window down.
async function bestOf(run, {duration, iterations}) {
  if(iterations) {
    return timed(run, {duration, iterations});
  }
  let best = null;
  for(let i = 0; i < 3; i++) {
    const m = await timed(run, {duration: duration / 3});
    if(!best || m.rate > best.rate) {
      best = m;
    }
  }
  return best;
}

async function timed(run, {duration, iterations}) {
  let ops = 0;
  const start = performance.now();
  const end = start + duration * 1000;
  if(iterations) {
    for(; ops < iterations; ops++) {
      await run();
    }
  } else {
    do {
      await run();
      ops++;
    } while(performance.now() < end);
  }
  const seconds = (performance.now() - start) / 1000;
  return {ops, seconds, rate: ops / seconds};
}

function barrierWait(shared, parties) {
  const counter = new Int32Array(shared);
  const arrived = Atomics.add(counter, 0, 1) + 1;
  if(arrived === parties) {
    Atomics.notify(counter, 0);
    return;
  }
  for(;;) {
    const current = Atomics.load(counter, 0);
    if(current >= parties) {
      return;
    }
    Atomics.wait(counter, 0, current, 1000);
  }
}

async function workerMain() {
  const {config, operation, barrier, parties} = workerData;
  const run = await prepare(config, operation);
  const go = await measure(run, config);
  barrierWait(barrier, parties);
  parentPort.postMessage(await go());
}

async function allCores(config, operation) {
  const parties = config.workers;
  const barrier = new SharedArrayBuffer(4);
  const results = await Promise.all(Array.from({length: parties}, () => new Promise(
    (resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: {config, operation, barrier, parties},
      });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', code => {
        if(code !== 0) {
          reject(new Error(`worker exited with ${code}`));
        }
      });
    })));
  return {
    ops: results.reduce((sum, r) => sum + r.ops, 0),
    seconds: Math.max(...results.map(r => r.seconds)),
    rate: results.reduce((sum, r) => sum + r.rate, 0),
    workers: parties,
  };
}

async function main() {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const results = {};
  for(const operation of config.operations) {
    const run = await prepare(config, operation);
    await measure(run, config);
    const single = await bestOf(run, config);
    const all = config.workers > 0 ? await allCores(config, operation) : null;
    results[operation] = {single, all};
  }
  process.stdout.write(JSON.stringify({node: process.versions.node, results}) + '\n');
}

if(isMainThread) {
  main().catch(error => {
    process.stderr.write(`bench: ${error.stack ?? error}\n`);
    process.exit(1);
  });
} else {
  workerMain().catch(error => {
    process.stderr.write(`bench worker: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
