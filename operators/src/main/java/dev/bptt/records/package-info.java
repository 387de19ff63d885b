/** The public records that travel on the job's streams (POJOs: primitive fields and arrays only). */
package dev.bptt.records;
