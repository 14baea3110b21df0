// Signing and verification with the JavaScript reference stack (@digitalbazaar).
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfcCryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as createJcsSignCryptosuite,
  createVerifyCryptosuite as createJcsVerifyCryptosuite,
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';

import {createDocumentLoader} from './loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

export const CRYPTOSUITES = Object.freeze(['eddsa-rdfc-2022', 'eddsa-jcs-2022']);

/**
 * Imports an Ed25519 key pair from the request's `key` object.
 *
 * Accepts `secretKeyMultibase` or `privateKeyMultibase` (the W3C vectors' name), 32-byte seed
 * (`z3u2…`) or 64-byte seed+public (`zrv…`). Defaults: controller `did:key:<pub>`, id
 * `<controller>#<pub>`.
 *
 * @param {object} key - The key description.
 * @returns {Promise<object>} An ed25519-multikey key pair.
 */
export async function importKey(key) {
  if(!(key && typeof key === 'object')) {
    throw new TypeError('"key" must be an object.');
  }
  const {publicKeyMultibase} = key;
  if(typeof publicKeyMultibase !== 'string') {
    throw new TypeError('"key.publicKeyMultibase" must be a string.');
  }
  const secretKeyMultibase = key.secretKeyMultibase ?? key.privateKeyMultibase;
  const controller = key.controller ?? `did:key:${publicKeyMultibase}`;
  const id = key.id ?? `${controller}#${publicKeyMultibase}`;
  return Ed25519Multikey.from({
    type: 'Multikey', id, controller, publicKeyMultibase, secretKeyMultibase,
  });
}

/**
 * Creates a DataIntegrityProof suite for signing.
 *
 * @param {object} options - Options.
 * @param {string} options.cryptosuite - `eddsa-rdfc-2022` or `eddsa-jcs-2022`.
 * @param {object} options.keyPair - From `importKey`.
 * @param {string} [options.created] - The proof's `created` (default: now).
 * @returns {DataIntegrityProof} The suite.
 */
export function signingSuite({cryptosuite, keyPair, created}) {
  const signer = keyPair.signer();
  const date = created ?? undefined;
  if(cryptosuite === 'eddsa-rdfc-2022') {
    return new DataIntegrityProof({signer, date, cryptosuite: rdfcCryptosuite});
  }
  if(cryptosuite === 'eddsa-jcs-2022') {
    return new DataIntegrityProof({
      signer, date, cryptosuite: createJcsSignCryptosuite(),
    });
  }
  throw new Error(`Unsupported cryptosuite "${cryptosuite}".`);
}

/** @returns {DataIntegrityProof[]} One verifying suite per supported cryptosuite. */
export function verifyingSuites() {
  return [
    new DataIntegrityProof({cryptosuite: rdfcCryptosuite}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()}),
  ];
}

/**
 * Signs a credential.
 *
 * @param {object} options - Options.
 * @param {object} options.credential - The unsigned credential (not modified).
 * @param {object} options.key - See `importKey`.
 * @param {string} options.cryptosuite - See `signingSuite`.
 * @param {string} [options.created] - The proof's `created`.
 * @param {string} [options.api='vc'] - `vc` (vc.issue: credential checks, then sign) or `jsigs`
 *   (jsigs.sign with AssertionProofPurpose, for documents that are not credentials).
 * @param {object} [options.documents] - Extra documents for the loader.
 * @param {object} [options.keyPair] - A key pair already imported (bench).
 * @returns {Promise<object>} The signed document.
 */
export async function sign({
  credential, key, cryptosuite, created, api = 'vc', documents, keyPair,
}) {
  keyPair = keyPair ?? await importKey(key);
  const suite = signingSuite({cryptosuite, keyPair, created});
  const documentLoader = createDocumentLoader({documents});
  const document = structuredClone(credential);
  if(api === 'vc') {
    return vc.issue({credential: document, suite, documentLoader});
  }
  if(api === 'jsigs') {
    return jsigs.sign(document, {
      suite, purpose: new AssertionProofPurpose(), documentLoader,
    });
  }
  throw new Error(`Unknown api "${api}" (expected "vc" or "jsigs").`);
}

function collectErrors(error, out, seen = new Set()) {
  if(!error || seen.has(error)) {
    return out;
  }
  seen.add(error);
  if(Array.isArray(error)) {
    error.forEach(e => collectErrors(e, out, seen));
    return out;
  }
  if(Array.isArray(error.errors)) {
    // VerificationError: the wrapper's own message is generic, the causes say what failed
    error.errors.forEach(e => collectErrors(e, out, seen));
    if(error.errors.length > 0) {
      return out;
    }
  }
  let message = `${error.name ?? 'Error'}: ${error.message ?? String(error)}`;
  // jsonld.js safe-mode errors put the offending term in `details`
  const event = error.details?.event;
  if(event?.message) {
    message += ` (${event.code ?? 'event'}: ${event.message}` +
      (event.details?.property ? ` "${event.details.property}"` : '') +
      (event.details?.type ? ` ${JSON.stringify(event.details.type)}` : '') + ')';
  }
  out.push(message);
  if(error.cause) {
    collectErrors(error.cause, out, seen);
  }
  return out;
}

function resultErrors(result) {
  const errors = [];
  collectErrors(result.error, errors);
  for(const r of result.results ?? []) {
    collectErrors(r.error, errors);
  }
  for(const r of result.statusResult?.results ?? []) {
    collectErrors(r.error, errors);
  }
  collectErrors(result.statusResult?.error, errors);
  return [...new Set(errors)];
}

// `statusLists` is an array (each served at its `id`) or an object {url: list credential} for
// lists published at a URL other than their id (1EdTech's fixture is one).
function documentsFor({statusLists = [], documents = {}}) {
  const all = {...documents};
  if(statusLists && !Array.isArray(statusLists) && typeof statusLists === 'object') {
    return Object.assign(all, statusLists);
  }
  for(const list of statusLists ?? []) {
    if(!(list && typeof list === 'object' && typeof list.id === 'string')) {
      throw new TypeError('Each status list credential must be an object with a string "id".');
    }
    all[list.id] = list;
  }
  return all;
}

/**
 * Verifies a credential's proofs only (jsigs.verify with AssertionProofPurpose).
 *
 * @param {object} options - Options.
 * @param {object} options.credential - The signed credential.
 * @param {object} [options.documents] - Extra documents for the loader.
 * @returns {Promise<object>} `{verified, errors}`.
 */
export async function verifyProof({credential, documents, statusLists}) {
  const documentLoader = createDocumentLoader({
    documents: documentsFor({statusLists, documents}),
  });
  const result = await jsigs.verify(structuredClone(credential), {
    suite: verifyingSuites(),
    purpose: new AssertionProofPurpose(),
    documentLoader,
  });
  return {verified: result.verified === true, errors: resultErrors(result)};
}

/**
 * Verifies a credential fully (vc.verifyCredential: shape, validity window, issuer ==
 * controller, proofs, and Bitstring Status List when a credentialStatus is present).
 *
 * `verified` is the library's verdict (a set status bit does NOT make it false there); the
 * status bits are reported in `status` as `{revoked, suspended, entries}`.
 *
 * @param {object} options - Options.
 * @param {object} options.credential - The signed credential.
 * @param {object[]} [options.statusLists] - Status list credentials, served by their `id`.
 * @param {object} [options.documents] - Extra documents for the loader.
 * @param {string} [options.now] - Date-time for the validity window check.
 * @returns {Promise<object>} `{verified, errors, status}`.
 */
export async function verifyFull({credential, statusLists, documents, now}) {
  const documentLoader = createDocumentLoader({
    documents: documentsFor({statusLists, documents}),
  });
  const options = {
    credential: structuredClone(credential),
    suite: verifyingSuites(),
    documentLoader,
    checkStatus,
  };
  if(now !== undefined && now !== null) {
    options.now = now;
  }
  const result = await vc.verifyCredential(options);
  let status = null;
  if(result.statusResult) {
    const entries = (result.statusResult.results ?? []).map(r => ({
      statusPurpose: r.credentialStatus?.statusPurpose ?? null,
      statusListIndex: r.credentialStatus?.statusListIndex ?? null,
      statusListCredential: r.credentialStatus?.statusListCredential ?? null,
      verified: r.verified === true,
      set: r.status === true,
    }));
    status = {
      checked: result.statusResult.verified === true,
      revoked: entries.some(e => e.set && e.statusPurpose === 'revocation'),
      suspended: entries.some(e => e.set && e.statusPurpose === 'suspension'),
      entries,
    };
  }
  return {verified: result.verified === true, errors: resultErrors(result), status};
}

/**
 * Canonicalizes a document as the cryptosuites do, for differential tests: `rdfc` gives
 * jsonld.js's RDFC-1.0 canonical N-Quads (safe mode, bundled contexts); `jcs` gives RFC 8785.
 *
 * @param {object} options - Options.
 * @param {object} options.document - The JSON-LD document.
 * @param {string} [options.algorithm='rdfc'] - `rdfc` or `jcs`.
 * @returns {Promise<string>} The canonical form.
 */
export async function canonize({document, algorithm = 'rdfc'}) {
  if(algorithm === 'jcs') {
    // the cryptosuite's own canonize (RFC 8785, via the `canonicalize` package)
    return createJcsVerifyCryptosuite().canonize(document);
  }
  if(algorithm === 'rdfc') {
    return jsonld.canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      safe: true,
      documentLoader: createDocumentLoader(),
    });
  }
  throw new Error(`Unknown algorithm "${algorithm}" (expected "rdfc" or "jcs").`);
}
