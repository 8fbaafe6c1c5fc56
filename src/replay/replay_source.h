/* replay_source.h — building a replay source from an already loaded feed (replay_open does
 * this for a directory; the fuzz target and tests do it from memory). */
#ifndef PW_REPLAY_SOURCE_H
#define PW_REPLAY_SOURCE_H

#include "replay/replay.h"
#include "replay/replay_feed.h"

/* Takes ownership of `*feed` (it is emptied, and freed on failure too). `opt` NULL =
 * defaults. Returns 0 with the source in `*out`, or -ENOMEM. */
int replay_source_from_feed(struct replay_feed *feed, const struct replay_options *opt,
                            const struct pw_log *log, struct pw_source **out);

#endif
