// Newline-delimited JSON bridge to the JavaScript reference stack, for the Python interop tests.
//
// One request per line on stdin, one response per line on stdout, in the same order. Requests:
//   {"id": any, "op": "ping"}
//   {"id": any, "op": "sign", "cryptosuite": "eddsa-rdfc-2022"|"eddsa-jcs-2022",
//    "key": {"publicKeyMultibase", "secretKeyMultibase", "id"?, "controller"?},
//    "credential": {...}, "created"?: "2024-01-01T00:00:00Z", "api"?: "vc"|"jsigs"}
//   {"id": any, "op": "verify", "mode": "proof"|"full", "credential": {...},
//    "statusLists"?: [list credentials] or {url: list}, "documents"?: {url: doc}, "now"?: "<date-time>"}
//   {"id": any, "op": "canonize", "document": {...}, "algorithm": "rdfc"|"jcs"} -> string
//   {"id": any, "op": "contexts"} -> {url: file name} the loader serves
// Responses: {"id": same, "ok": true, "result": ...} or {"id": same, "ok": false, "error": "…"}.
//   sign   -> result = the signed credential
//   verify -> result = {"verified": bool, "errors": [str], "status": null | {"checked",
//             "revoked", "suspended", "entries": [...]}}
// A failed verification is ok:true with verified:false; ok:false means the request itself
// could not be carried out. Nothing a request contains can end the process; end of stdin does.
// No network: see lib/loader.mjs.
import {createInterface} from 'node:readline';

import {CONTEXT_FILES} from './lib/loader.mjs';
import {canonize, sign, verifyFull, verifyProof} from './lib/suites.mjs';

const VERSIONS = {
  node: process.versions.node,
};

async function handle(request) {
  if(!(request && typeof request === 'object' && !Array.isArray(request))) {
    throw new TypeError('Request must be a JSON object.');
  }
  switch(request.op) {
    case 'ping':
      return {pong: true, versions: VERSIONS};
    case 'sign':
      return sign({
        credential: request.credential,
        key: request.key,
        cryptosuite: request.cryptosuite,
        created: request.created,
        api: request.api,
        documents: request.documents,
      });
    case 'verify': {
      const mode = request.mode ?? 'full';
      if(mode === 'proof') {
        return verifyProof(request);
      }
      if(mode === 'full') {
        return verifyFull(request);
      }
      throw new Error(`Unknown verify mode "${mode}" (expected "proof" or "full").`);
    }
    case 'canonize':
      return canonize(request);
    case 'contexts':
      return CONTEXT_FILES;
    default:
      throw new Error(`Unknown op "${request.op}".`);
  }
}

function errorMessage(error) {
  if(error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
}

function respond(response) {
  process.stdout.write(JSON.stringify(response) + '\n');
}

process.on('uncaughtException', error => {
  process.stderr.write(`bridge: uncaught ${errorMessage(error)}\n`);
});
process.on('unhandledRejection', error => {
  process.stderr.write(`bridge: unhandled ${errorMessage(error)}\n`);
});

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  if(line.trim() === '') {
    continue;
  }
  let id = null;
  try {
    const request = JSON.parse(line);
    id = request?.id ?? null;
    const result = await handle(request);
    respond({id, ok: true, result});
  } catch(error) {
    respond({id, ok: false, error: errorMessage(error)});
  }
}
