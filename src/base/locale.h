/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VMSCOPE_BASE_LOCALE_H
#define VMSCOPE_BASE_LOCALE_H

/*
 * The locale, loaded where it is first needed: a program that puts off
 * loading it (the report: a UTF-8 locale takes 0.3 to 0.5 ms to load, and
 * most processes' names are ASCII) says how with locale_on_need, and the
 * code that needs it calls locale_need first: the width of a character
 * that is not ASCII (escape_cp_width), the words of an error
 * (procfile_strerror).
 */

/* The loader locale_need calls (NULL, the default: none: the program
 * loads its locale itself, or keeps C's). */
void locale_on_need(void (*load)(void));
/* Calls the loader, the first time only (once a process, whichever thread). */
void locale_need(void);

#endif
