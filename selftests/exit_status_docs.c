// SPDX-License-Identifier: GPL-2.0
/*
 * The exit statuses have one source, IOUOPS_EXIT_STATUS_LIST in
 * loader/exit_status.h (iouops_exit_status_table()). Check the three
 * places that repeat it: `iouops --help` (code and meaning, exactly), the
 * table under "## Exit status" in docs/loader.md (code and meaning,
 * exactly) and the EXIT STATUS section of man/iouops.8 (the codes).
 * Needs no kernel feature; SKIPs when the tree's docs/loader.md and man
 * page are not next to the build directory or in the current directory.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selftest.h"

#define MAX_ROWS	64
/* Where the guide keeps its copy of the table, under "## Exit status" */
#define EXIT_STATUS_DOC	"docs/loader.md"

struct row {
	int code;
	char meaning[160];
};

/* BUILD/../NAME, else ./NAME; NULL when neither opens. */
static FILE *open_doc(const char *name)
{
	const char *path = st_tree_path(name);

	return path ? fopen(path, "r") : NULL;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Markdown "| 23 | meaning |" rows under the heading "Exit status" (any
 * level), up to the next heading */
static int markdown_rows(FILE *f, struct row *rows)
{
	char line[512], *cell, *end;
	bool in = false;
	int n = 0;

	while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
		chomp(line);
		if (line[0] == '#') {
			if (in)
				break;
			in = !strcmp(line + strspn(line, "#"), " Exit status");
			continue;
		}
		if (!in || line[0] != '|' || !isdigit((unsigned char)line[2]))
			continue;
		rows[n].code = (int)strtol(line + 1, &cell, 10);
		cell = strchr(cell, '|');
		end = strrchr(line, '|');
		if (!cell || end == cell)
			continue;
		*end = '\0';
		cell++;
		while (*cell == ' ')
			cell++;
		chomp(cell);
		snprintf(rows[n].meaning, sizeof(rows[n].meaning), "%s", cell);
		n++;
	}
	return n;
}

/* ".TP" then ".B CODE" in the EXIT STATUS section */
static int man_rows(FILE *f, struct row *rows)
{
	char line[512];
	bool in = false, tp = false;
	int n = 0;

	while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
		chomp(line);
		if (!strncmp(line, ".SH", 3)) {
			if (in)
				break;
			in = strstr(line, "EXIT STATUS") != NULL;
			continue;
		}
		if (in && tp && !strncmp(line, ".B ", 3) &&
		    isdigit((unsigned char)line[3])) {
			rows[n].code = atoi(line + 3);
			rows[n++].meaning[0] = '\0';
		}
		tp = in && !strcmp(line, ".TP");
	}
	return n;
}

/* "  CODE  meaning" lines after "Exit status" in --help */
static int help_rows(const char *out, struct row *rows)
{
	const char *s = strstr(out, "Exit status");
	int n = 0, code, len;
	char meaning[160];

	for (s = s ? strchr(s, '\n') : NULL; s && n < MAX_ROWS;
	     s = strchr(s + 1, '\n')) {
		if (sscanf(s + 1, " %d  %159[^\n]%n", &code, meaning, &len) < 2)
			break;
		rows[n].code = code;
		snprintf(rows[n].meaning, sizeof(rows[n].meaning), "%s", meaning);
		n++;
	}
	return n;
}

/* Every status in the table, and nothing else, in rows; with the same
 * meaning when check_meaning. Prints each difference. */
static int compare(const char *where, const struct row *rows, int n,
		   bool check_meaning)
{
	size_t nr, i;
	const struct iouops_exit_status_desc *t = iouops_exit_status_table(&nr);
	int j, bad = 0;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < n && rows[j].code != t[i].code; j++)
			;
		if (j == n) {
			st_diag("%s lacks status %d (%s)", where, t[i].code,
				 t[i].meaning);
			bad++;
		} else if (check_meaning && strcmp(rows[j].meaning, t[i].meaning)) {
			st_diag("%s: status %d says '%s', iouops.h '%s'", where,
				 t[i].code, rows[j].meaning, t[i].meaning);
			bad++;
		}
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < nr && t[i].code != rows[j].code; i++)
			;
		if (i == nr) {
			st_diag("%s lists status %d, which iouops.h has not",
				 where, rows[j].code);
			bad++;
		}
	}
	return bad;
}

TEST(exit_status_docs, "exit statuses: --help, docs/loader.md and iouops(8) match exit_status.h")
{
	struct row rows[MAX_ROWS];
	struct st_cmd c;
	FILE *doc, *man;
	int bad = 0, n;

	doc = open_doc(EXIT_STATUS_DOC);
	man = open_doc("man/iouops.8");
	if (!doc || !man) {
		if (doc)
			fclose(doc);
		if (man)
			fclose(man);
		return st_skip(EXIT_STATUS_DOC " or man/iouops.8 not found next "
				"to %s or in the current directory",
				st_build_dir());
	}
	n = markdown_rows(doc, rows);
	fclose(doc);
	bad += compare(EXIT_STATUS_DOC, rows, n, true);
	n = man_rows(man, rows);
	fclose(man);
	bad += compare("man/iouops.8", rows, n, false);

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "--help", NULL));
	n = help_rows(c.out, rows);
	bad += compare("iouops --help", rows, n, true);
	ASSERT_EQ(0, bad);
	return KSFT_PASS;
}
