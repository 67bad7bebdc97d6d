// The Redis Cluster hash slot of a key (CRC16 of its hash tag, mod 16384): the function ioredis routes with.
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
