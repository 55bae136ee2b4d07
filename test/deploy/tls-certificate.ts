/**
 * A throwaway self-signed certificate for 127.0.0.1, made with openssl, for tests of the HTTPS
 * server block.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "bun";

export interface Certificate {
  certPath: string;
  keyPath: string;
}

/** Writes cert.pem and key.pem (P-256, valid one day) into a new temporary folder. */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "sluice-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const result = spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stderr: "pipe" },
  );
  if (!result.success) throw new Error(`openssl could not make a certificate: ${result.stderr.toString()}`);
  return { certPath, keyPath };
}
