import { buildCodecApp } from './codec/codec-app';
import { loadCodecConfig } from './config';
import { createLogger } from './log';
import { onShutdown } from './shutdown';
import { EncryptionCodec } from './temporal/payload-codec';

/** The codec server process: `npm run start:codec`. Engineers' Temporal UI and CLI decode through it. */
async function main(): Promise<void> {
  const config = loadCodecConfig();
  const logger = createLogger(config.LOG_LEVEL, 'codec');
  const app = await buildCodecApp({
    codec: new EncryptionCodec(config.payloadKeys),
    authToken: config.CODEC_AUTH_TOKEN,
    corsOrigins: config.CODEC_CORS_ORIGINS,
    trustProxy: config.CODEC_TRUST_PROXY,
    logger,
  });
  onShutdown(logger, () => app.close());
  await app.listen({ port: config.CODEC_PORT, host: config.CODEC_HOST });
  logger.info(
    { keyId: config.payloadKeys[0].id, keys: config.payloadKeys.length, corsOrigins: config.CODEC_CORS_ORIGINS },
    `codec server ready on POST http://${config.CODEC_HOST}:${config.CODEC_PORT}/codec/decode`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
