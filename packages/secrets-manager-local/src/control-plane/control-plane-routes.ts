import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerQuery } from './query-protocol';
import { answerServerless, SERVERLESS_TARGET_PREFIX } from './serverless-protocol';
import type { Topology } from './topology';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Requests for the emulated control planes, served on the Secrets Manager port: RDS and Redshift
 * speak the AWS query protocol (form-encoded POST, XML answers), told apart by `Action` and
 * `Version`; Redshift Serverless speaks AWS JSON 1.1. Anything else is not ours (undefined).
 */
export function controlPlaneRoute(
  topology: () => Topology,
  logError: (line: string) => void,
): (req: IncomingMessage) => RequestListener | undefined {
  return (req) => {
    const target = req.headers['x-amz-target'];
    const type = req.headers['content-type'] ?? '';
    const serverless = typeof target === 'string' && target.startsWith(SERVERLESS_TARGET_PREFIX);
    if (!serverless && !type.startsWith('application/x-www-form-urlencoded')) return undefined;
    return (request, res) => {
      readBody(request)
        .then((body) => {
          const requestId = randomUUID();
          if (serverless) {
            const answer = answerServerless(target, body, topology());
            const payload = JSON.stringify(answer.json);
            res.writeHead(answer.status, {
              'Content-Type': 'application/x-amz-json-1.1',
              'Content-Length': Buffer.byteLength(payload),
              'x-amzn-RequestId': requestId,
            });
            res.end(payload);
            return;
          }
          const answer = answerQuery(body, topology(), requestId);
          res.writeHead(answer.status, {
            'Content-Type': 'text/xml',
            'Content-Length': Buffer.byteLength(answer.xml),
            'x-amzn-RequestId': requestId,
          });
          res.end(answer.xml);
        })
        .catch((error: unknown) => {
          logError(JSON.stringify({ event: 'control-plane-error', error: String(error) }));
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
    };
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}
