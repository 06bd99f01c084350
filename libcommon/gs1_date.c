/*
 * gs1_date: dates of GS1 element strings.
 *
 * GenSpecs 7.12 (determination of century in dates): for a YY year and a
 * reference year, d = YY - (reference year mod 100); 51 <= d <= 99 means
 * the previous century, -99 <= d <= -50 the next one, anything else the
 * current one.  Day 00 ("no day given") stands for the last day of the
 * month, the common reading (GS1 healthcare guidance, GSCN 21-040).
 * Day arithmetic is proleptic Gregorian, by the days-from-civil method.
 */
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gs1.h"
#include "gs1_int.h"

static int
mdays(int y, int m)
{
	return (int)gs1_days_in_month((unsigned)y, (unsigned)m);
}

bool
gs1_date_valid(const struct gs1_date *dt)
{
	return dt->year >= 1 && dt->year <= 9999 && dt->month >= 1 &&
	    dt->month <= 12 && dt->day >= 1 &&
	    dt->day <= mdays(dt->year, dt->month);
}

int
gs1_date_from_yymmdd(const char *s, const struct gs1_date *today,
    struct gs1_date *out, bool *day00)
{
	int v[3], yy, cur, cent, dd;

	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (int i = 0; i < 3; i++)
		v[i] = (s[2 * i] - '0') * 10 + (s[2 * i + 1] - '0');
	if (s[6] != '\0')
		return -1;
	yy = v[0];
	cur = today->year;
	cent = cur / 100;
	dd = yy - cur % 100;
	if (dd >= 51 && dd <= 99)
		cent--;
	else if (dd >= -99 && dd <= -50)
		cent++;
	out->year = cent * 100 + yy;
	out->month = v[1];
	if (out->month < 1 || out->month > 12)
		return -1;
	if (day00 != NULL)
		*day00 = v[2] == 0;
	out->day = v[2] == 0 ? mdays(out->year, out->month) : v[2];
	if (out->day > mdays(out->year, out->month))
		return -1;
	return 0;
}

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long
gs1_date_diff(const struct gs1_date *a, const struct gs1_date *b)
{
	return days_from_civil(b->year, b->month, b->day) -
	    days_from_civil(a->year, a->month, a->day);
}

int
gs1_date_parse(const char *s, struct gs1_date *out)
{
	int v = 0;

	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
	}
	if (s[10] != '\0')
		return -1;
	for (int i = 0; i < 4; i++)
		v = v * 10 + (s[i] - '0');
	out->year = v;
	out->month = (s[5] - '0') * 10 + (s[6] - '0');
	out->day = (s[8] - '0') * 10 + (s[9] - '0');
	return gs1_date_valid(out) ? 0 : -1;
}

int
gs1_date_today(struct gs1_date *out)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL)
		return -1;
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	return 0;
}
