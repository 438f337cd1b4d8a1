// SPDX-License-Identifier: MIT
/*
 * export_tcx: a session as Training Center XML (TrainingCenterDatabase v2)
 * through libxml2's writer: one Lap per plan step, a Trackpoint a second
 * with time and distance (no position: a treadmill goes nowhere). Only
 * elements of the TCX v2 schema, in its order.
 */
#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <libxml/xmlwriter.h>

#define TCX_NS "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

static void iso_time(char *buf, size_t len, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *tcx_intensity(enum export_intensity i)
{
	/* TCX knows two: the runs are Active, the rest Resting */
	return i == EXPORT_ACTIVE ? "Active" : "Resting";
}

#define W(call) do { if ((call) < 0) return -EIO; } while (0)

/*
 * An element whose text needs no escaping (a number, a time) is written
 * raw: xmlTextWriterWriteElement() mallocs a 1000-byte buffer to escape
 * the text, and a track has a few such elements a second.
 */
static int el_plain(xmlTextWriterPtr w, const char *name, const char *text)
{
	W(xmlTextWriterStartElement(w, BAD_CAST name));
	W(xmlTextWriterWriteRaw(w, BAD_CAST text));
	return xmlTextWriterEndElement(w);
}

/*
 * Formatted here, not by xmlTextWriterWriteFormatElement(): that one
 * mallocs an 8 KiB buffer per call. 400 bytes hold any double in "%.3f".
 */
static int el_double(xmlTextWriterPtr w, const char *name, double v)
{
	char num[400];

	snprintf(num, sizeof(num), "%.3f", v);
	return el_plain(w, name, num);
}

static int trackpoint(xmlTextWriterPtr w, const struct export_session *x,
		      const struct export_point *p)
{
	char ts[32];

	iso_time(ts, sizeof(ts), x->start_wall_ms + p->t_ms);
	W(xmlTextWriterStartElement(w, BAD_CAST "Trackpoint"));
	W(el_plain(w, "Time", ts));
	W(el_double(w, "DistanceMeters", p->distance_mm / 1000.0));
	W(xmlTextWriterStartElement(w, BAD_CAST "Extensions"));
	W(xmlTextWriterStartElementNS(w, BAD_CAST "ns3", BAD_CAST "TPX",
		BAD_CAST "http://www.garmin.com/xmlschemas/ActivityExtension/v2"));
	W(el_double(w, "ns3:Speed", p->belt_mm_s / 1000.0));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return 0;
}

static int lap(xmlTextWriterPtr w, const struct export_session *x, size_t i)
{
	const struct export_lap *l = &x->laps[i];
	char ts[32];
	size_t k;

	iso_time(ts, sizeof(ts), x->start_wall_ms + l->start_ms);
	W(xmlTextWriterStartElement(w, BAD_CAST "Lap"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "StartTime", BAD_CAST ts));
	W(el_double(w, "TotalTimeSeconds", l->timer_ms / 1000.0));
	W(el_double(w, "DistanceMeters", l->distance_mm / 1000.0));
	W(el_double(w, "MaximumSpeed", l->max_belt_mm_s / 1000.0));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Calories", BAD_CAST "0"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Intensity",
				    BAD_CAST tcx_intensity(l->intensity)));
	W(xmlTextWriterWriteElement(w, BAD_CAST "TriggerMethod",
				    BAD_CAST "Manual"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Track"));
	for (k = 0; k < x->n_points; k++)
		if (x->points[k].lap == (int)i && trackpoint(w, x,
							     &x->points[k]))
			return -EIO;
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterWriteFormatElement(w, BAD_CAST "Notes",
		"step %d: %s", l->step_index + 1, l->kind));
	W(xmlTextWriterEndElement(w));
	return 0;
}

static int document(xmlTextWriterPtr w, const struct export_session *x)
{
	char ts[32];
	size_t i;

	iso_time(ts, sizeof(ts), x->start_wall_ms);
	W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	W(xmlTextWriterStartElementNS(w, NULL,
				      BAD_CAST "TrainingCenterDatabase",
				      BAD_CAST TCX_NS));
	W(xmlTextWriterWriteAttributeNS(w, BAD_CAST "xsi",
		BAD_CAST "schemaLocation", BAD_CAST XSI_NS,
		BAD_CAST TCX_NS " http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Activities"));
	W(xmlTextWriterStartElement(w, BAD_CAST "Activity"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "Sport", BAD_CAST "Running"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "Id", BAD_CAST ts));
	for (i = 0; i < x->n_laps; i++)
		if (lap(w, x, i))
			return -EIO;
	W(xmlTextWriterWriteFormatElement(w, BAD_CAST "Notes",
		"LEVER treadmill session %lld: %s %s, %s (%s)",
		(long long)x->rec.id, x->rec.plan, x->rec.session,
		x->athlete, x->rec.end_cause));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndDocument(w));
	return 0;
}

int export_tcx(const struct export_session *x, FILE *f)
{
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	int ret;

	buf = xmlBufferCreate();
	if (!buf)
		return -ENOMEM;
	/*
	 * The writer hands buf its output 4 KB at a time; by default buf
	 * grows to the exact size each time, copying all it holds: an
	 * hour's file (megabytes) was copied hundreds of times.
	 */
	xmlBufferSetAllocationScheme(buf, XML_BUFFER_ALLOC_DOUBLEIT);
	w = xmlNewTextWriterMemory(buf, 0);
	if (!w) {
		xmlBufferFree(buf);
		return -ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	ret = document(w, x);
	xmlFreeTextWriter(w);	/* flushes into buf */
	if (!ret && fwrite(xmlBufferContent(buf), 1, xmlBufferLength(buf), f) !=
	    (size_t)xmlBufferLength(buf))
		ret = -EIO;
	xmlBufferFree(buf);
	return ret;
}
