/* junit.xml for Jenkins and GitLab, written with libxml2's xmlwriter. */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "report/report.h"

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static void attrf(xmlTextWriterPtr w, const char *name, const char *fmt, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, v);
	attr(w, name, buf);
}

static void property(xmlTextWriterPtr w, const char *name, const char *value)
{
	xmlTextWriterStartElement(w, BAD_CAST "property");
	attr(w, "name", name);
	attr(w, "value", value ? value : "");
	xmlTextWriterEndElement(w);
}

static void testcase(xmlTextWriterPtr w, const struct mhp_result *r, const struct mhp_check *c)
{
	_cleanup_free_ char *classname = mhp_xasprintf("mhp.%s", r->topology);

	xmlTextWriterStartElement(w, BAD_CAST "testcase");
	attr(w, "classname", classname);
	attr(w, "name", c->name);
	if (c->status == MHP_STATUS_FAIL) {
		_cleanup_free_ char *msg = mhp_xasprintf("expected '%s', observed '%.200s'", c->expected, c->observed);
		xmlTextWriterStartElement(w, BAD_CAST "failure");
		attr(w, "message", msg);
		xmlTextWriterWriteString(w, BAD_CAST c->observed);
		xmlTextWriterEndElement(w);
	} else if (c->status == MHP_STATUS_SKIP) {
		xmlTextWriterStartElement(w, BAD_CAST "skipped");
		attr(w, "message", c->observed);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
}

static void suite(xmlTextWriterPtr w, const struct mhp_result *r)
{
	xmlTextWriterStartElement(w, BAD_CAST "testsuite");
	attr(w, "name", r->topology);
	attrf(w, "tests", "%.0f", (double)r->nchecks + 1);
	attrf(w, "failures", "%.0f", (double)mhp_result_count(r, MHP_STATUS_FAIL));
	attrf(w, "errors", "%.0f", r->error || r->interrupted ? 1 : 0);
	attrf(w, "skipped", "%.0f", (double)mhp_result_count(r, MHP_STATUS_SKIP));
	attrf(w, "time", "%.3f", r->duration_ns / 1e9);
	xmlTextWriterStartElement(w, BAD_CAST "properties");
	property(w, "kernel", r->kernel);
	property(w, "kernel_version", r->guest_release ? r->guest_release : r->kernel_version);
	property(w, "qemu_version", r->qemu_version);
	property(w, "accel", r->accel);
	xmlTextWriterEndElement(w);
	for (size_t i = 0; i < r->nchecks; i++)
		testcase(w, r, &r->checks[i]);
	/* The run itself, so an aborted one is an error in the CI's view. */
	xmlTextWriterStartElement(w, BAD_CAST "testcase");
	attr(w, "classname", "mhp");
	attr(w, "name", "run completed");
	if (r->error || r->interrupted) {
		_cleanup_free_ char *msg = mhp_xasprintf("failed in phase '%s'", r->phase ? r->phase : "?");
		xmlTextWriterStartElement(w, BAD_CAST "error");
		attr(w, "message", msg);
		xmlTextWriterWriteString(w, BAD_CAST(r->error ? r->error : "interrupted"));
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);
}

int mhp_report_junit(const struct mhp_result *r, const char *dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/junit.xml", dir);
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int r_ = 0;

	if (!w) {
		xmlBufferFree(buf);
		return -ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	if (xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0)
		r_ = -EIO;
	xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	attr(w, "name", "mhp");
	suite(w, r);
	xmlTextWriterEndElement(w);
	if (xmlTextWriterEndDocument(w) < 0)
		r_ = -EIO;
	xmlFreeTextWriter(w); /* flushes into buf */
	if (r_ == 0)
		r_ = mhp_write_file_atomic(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	return r_;
}

int mhp_report_junit_merge(char *const files[], size_t n, const char *out)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "testsuites");

	xmlNewProp(root, BAD_CAST "name", BAD_CAST "mhp");
	xmlChar *text = NULL;
	int len = 0, r = 0;

	xmlDocSetRootElement(doc, root);
	for (size_t i = 0; r == 0 && i < n; i++) {
		xmlDocPtr one = xmlReadFile(files[i], NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		xmlNodePtr suite = one ? xmlDocGetRootElement(one) : NULL;

		if (!suite)
			r = -EINVAL;
		else if (xmlStrcmp(suite->name, BAD_CAST "testsuites"))
			xmlAddChild(root, xmlDocCopyNode(suite, doc, 1));
		else /* each run's file: <testsuites> around its one <testsuite> */
			for (xmlNodePtr c = suite->children; c; c = c->next)
				if (c->type == XML_ELEMENT_NODE)
					xmlAddChild(root, xmlDocCopyNode(c, doc, 1));
		xmlFreeDoc(one);
	}
	if (r == 0) {
		xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
		r = text ? mhp_write_file_atomic(out, text, (size_t)len) : -ENOMEM;
	}
	xmlFree(text);
	xmlFreeDoc(doc);
	return r;
}
