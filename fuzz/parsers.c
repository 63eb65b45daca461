// SPDX-License-Identifier: GPL-2.0
/*
 * The --listen and size parsers of the public API: iou_parse_sockaddr()
 * (and iou_format_sockaddr() of what it accepted, which must parse back
 * to the same address) and iou_parse_size().
 */
#include <stdio.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "iouops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss, again;
	unsigned long long v;
	char buf[128];
	char *s = fuzz_str(data, size);

	if (!s)
		return 0;
	iou_parse_size(s, &v);
	if (!iou_parse_sockaddr(s, &ss)) {
		iou_format_sockaddr(&ss, buf, sizeof(buf));
		if (iou_parse_sockaddr(buf, &again) ||
		    memcmp(&ss, &again, sizeof(ss))) {
			fprintf(stderr, "'%s' -> '%s' does not parse back\n",
				s, buf);
			abort();
		}
		iou_format_sockaddr(&ss, buf, 1 + data[0] % sizeof(buf));
	}
	free(s);
	return 0;
}
