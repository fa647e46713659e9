/*
 * Raw C baseline for the doorbell round trip (docs/performance.md, "Doorbell"): the least a host can do per
 * guest request when the request arrives as an eventfd signal.
 *
 *   ringer (normal priority)   : t0; write(req, 1); read(ack) (blocks); t1         -> one sample t1 - t0
 *   waker  (SCHED_FIFO, asleep): read(req) (blocks); sched_setattr(target, RR 5 / back to normal); write(ack, 1)
 *   target                     : a third thread that only sleeps; its priority is what changes
 *
 * Rounds alternate boost and restore, as the Java benchmark alternates request and release; a gap between
 * rounds lets every thread fall asleep. Prints one line: "baseline rounds=N p50_us=.. p99_us=.. max_us=..".
 *
 * Usage: doorbell_baseline ROUNDS GAP_US FIFO_PRIO   (needs CAP_SYS_NICE, e.g. root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct sched_attr_v0 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

#define RESET_ON_FORK 0x01

static int req_fd, ack_fd, rounds, fifo_prio;
static volatile pid_t target_tid;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "doorbell_baseline: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *target_main(void *arg)
{
	(void)arg;
	target_tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static void *waker_main(void *arg)
{
	(void)arg;
	struct sched_attr_v0 self = { .size = sizeof self, .sched_policy = SCHED_FIFO, .sched_priority = (uint32_t)fifo_prio };
	if (syscall(SYS_sched_setattr, 0, &self, 0) != 0)
		die("sched_setattr(self, FIFO)");
	for (int i = 0; i < rounds; i++) {
		uint64_t v;
		if (read(req_fd, &v, 8) != 8)
			die("read(req)");
		struct sched_attr_v0 a = { .size = sizeof a, .sched_flags = RESET_ON_FORK };
		if (i % 2 == 0) {
			a.sched_policy = SCHED_RR;
			a.sched_priority = 5;
		} else {
			a.sched_policy = SCHED_OTHER;
			a.sched_flags = 0;
		}
		if (syscall(SYS_sched_setattr, target_tid, &a, 0) != 0)
			die("sched_setattr(target)");
		v = 1;
		if (write(ack_fd, &v, 8) != 8)
			die("write(ack)");
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s ROUNDS GAP_US FIFO_PRIO\n", argv[0]);
		return 2;
	}
	rounds = atoi(argv[1]);
	int gap_us = atoi(argv[2]);
	fifo_prio = atoi(argv[3]);
	if (rounds < 1 || gap_us < 0 || fifo_prio < 1 || fifo_prio > 99) {
		fprintf(stderr, "doorbell_baseline: ROUNDS >= 1, GAP_US >= 0, FIFO_PRIO 1..99\n");
		return 2;
	}
	req_fd = eventfd(0, EFD_CLOEXEC);
	ack_fd = eventfd(0, EFD_CLOEXEC);
	if (req_fd < 0 || ack_fd < 0)
		die("eventfd");
	pthread_t target, waker;
	pthread_create(&target, NULL, target_main, NULL);
	while (target_tid == 0)
		usleep(100);
	pthread_create(&waker, NULL, waker_main, NULL);
	uint64_t *samples = calloc((size_t)rounds, sizeof *samples);
	if (!samples)
		die("calloc");
	struct timespec gap = { .tv_sec = gap_us / 1000000, .tv_nsec = (long)(gap_us % 1000000) * 1000 };
	for (int i = 0; i < rounds; i++) {
		nanosleep(&gap, NULL);
		uint64_t v = 1, t0 = now_ns();
		if (write(req_fd, &v, 8) != 8)
			die("write(req)");
		if (read(ack_fd, &v, 8) != 8)
			die("read(ack)");
		samples[i] = now_ns() - t0;
	}
	pthread_join(waker, NULL);
	qsort(samples, (size_t)rounds, sizeof *samples, cmp);
	printf("baseline rounds=%d p50_us=%.1f p99_us=%.1f max_us=%.1f\n", rounds, samples[rounds / 2] / 1000.0,
	       samples[(size_t)((rounds - 1) * 0.99)] / 1000.0, samples[rounds - 1] / 1000.0);
	return 0;
}
