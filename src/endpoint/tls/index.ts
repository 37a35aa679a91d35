export {
  createTlsCertificate,
  DEFAULT_TLS_HOSTS,
  type TlsCertificateOptions,
  type TlsCredentials,
} from './certificate.js';
export type { ServerTlsFiles, ServerTlsOption } from './server-tls.js';
