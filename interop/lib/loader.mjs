// Offline JSON-LD document loader for the JavaScript reference stack.
//
// Nothing here touches the network. It serves:
//   * every JSON-LD context bundled with mosaics.vc (read from ../mosaics/vc/contexts, relative
//     to this folder, so the JS side canonicalizes against exactly the bytes Python uses);
//   * did:key DIDs and verification methods, through @digitalbazaar/did-method-key;
//   * `<controller>#<publicKeyMultibase>` verification methods for any other controller (e.g. an
//     https issuer id, as in 1EdTech's OB 3.0 vector): the key is taken from the fragment and a
//     controller document listing it under assertionMethod is synthesised on demand. This mirrors
//     what the 1EdTech validator does; it means "the issuer id says which key it uses", which is
//     the trust model of that vector, not a general-purpose resolver;
//   * extra documents passed in by the caller (status list credentials, controller documents).
import {readFileSync} from 'node:fs';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';

const CONTEXTS_DIR = new URL('../../mosaics/vc/contexts/', import.meta.url);

// URL -> file name in mosaics/vc/contexts; the same map as mosaics.vc.jsonld.CONTEXT_FILES (a test
// compares them). The alternative copies kept there for comparison (DCC copy, 1EdTech validator
// variant) are deliberately not served.
export const CONTEXT_FILES = Object.freeze({
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://www.w3.org/ns/credentials/undefined-terms/v2':
    'credentials-undefined-terms-v2.jsonld',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
  'https://www.w3.org/2018/credentials/examples/v1': 'credentials-examples-v1.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'credentials-status-v1.jsonld',
  'https://www.w3.org/ns/odrl.jsonld': 'odrl.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/security/suites/ed25519-2020/v1': 'ed25519-2020-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': 'ob-v3p0-context-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': 'ob-v3p0-context-3.0.2.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  // the un-versioned OB URL: the file the 1EdTech validator serves for it
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json': 'ob-v3p0-context-latest-dev.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json': 'clr-v2p0-context-2.0.1.json',
  'https://purl.imsglobal.org/spec/clr/v2p0/context.json': 'clr-v2p0-context.json',
  'https://w3id.org/openbadges/v2': 'openbadges-v2.1edtech-validator.json',
});

const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

const contextCache = new Map();

function deepFreeze(value) {
  if(value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

// Contexts are parsed once and shared, frozen: jsonld.js only reads them.
function loadContext(url) {
  let document = contextCache.get(url);
  if(document === undefined) {
    const file = CONTEXT_FILES[url];
    document = deepFreeze(JSON.parse(readFileSync(new URL(file, CONTEXTS_DIR), 'utf8')));
    contextCache.set(url, document);
  }
  return document;
}

const didKeyDriver = didKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from,
});

function result(url, document) {
  // jsonld.js mutates nothing it is given, but callers of the loader (jsigs) may; hand out copies.
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
}

/**
 * Creates a document loader.
 *
 * @param {object} [options] - Options.
 * @param {object} [options.documents] - Extra documents by URL (status list credentials,
 *   controller documents) served as given.
 * @returns {Function} An async `documentLoader(url)`.
 */
export function createDocumentLoader({documents = {}} = {}) {
  // fragment keys seen per controller while serving this loader's requests
  const controllers = new Map();

  return async function documentLoader(url) {
    if(typeof url !== 'string') {
      throw new TypeError(`Document URL must be a string, got ${typeof url}.`);
    }
    if(Object.hasOwn(CONTEXT_FILES, url)) {
      // `tag: 'static'` lets jsonld.js keep the processed context across operations (as the
      // static loaders of jsonld-document-loader do); without it every canonicalization
      // re-processes the OB context's type-scoped contexts and runs about twice as slow.
      return {contextUrl: null, documentUrl: url, document: loadContext(url), tag: 'static'};
    }
    if(Object.hasOwn(documents, url)) {
      return result(url, documents[url]);
    }
    if(url.startsWith('did:key:')) {
      const document = await didKeyDriver.get({url});
      return result(url, document);
    }
    const hash = url.indexOf('#');
    if(hash > 0) {
      const controller = url.slice(0, hash);
      const publicKeyMultibase = url.slice(hash + 1);
      // throws unless the fragment is an Ed25519 Multikey public key
      const keyPair = await Ed25519Multikey.from({
        id: url, controller, publicKeyMultibase,
      });
      const method = await keyPair.export({publicKey: true, includeContext: true});
      let methods = controllers.get(controller);
      if(!methods) {
        methods = new Map();
        controllers.set(controller, methods);
      }
      methods.set(url, method);
      return result(url, method);
    }
    const methods = controllers.get(url);
    if(methods) {
      const verificationMethod = [...methods.values()].map(m => {
        const {'@context': _ignored, ...rest} = m;
        return rest;
      });
      const ids = [...methods.keys()];
      return result(url, {
        '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
        id: url,
        verificationMethod,
        assertionMethod: ids,
        authentication: ids,
      });
    }
    throw new Error(`Document loader (offline) refuses to load "${url}".`);
  };
}
