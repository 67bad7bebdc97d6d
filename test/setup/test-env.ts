// Tests' own processes: quiet Nest's default logger noise and keep kafkajs from warning about its partitioner.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
