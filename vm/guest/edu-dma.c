/*
 * edu-dma: drives QEMU's "edu" test device (1234:11e8) from user space through
 * VFIO, as DPDK drives a NIC, so that its DMA goes through an IOMMU domain
 * whose mappings this program makes:
 *
 *   1. IOVA 0x100000 mapped read-write: a DMA from it and one back to it
 *      (they succeed; the bytes are checked);
 *   2. a DMA read from IOVA 0x2345000, which is not mapped: a DMAR fault;
 *   3. IOVA 0x200000 mapped read-only (VFIO_DMA_MAP_FLAG_READ alone): a DMA
 *      write to it, a DMAR fault.
 *
 * Then it prints "edu-dma: done" and waits, its mappings in place, until it
 * is killed: the guest's init dumps the IOMMU's debugfs files meanwhile.
 *
 * edu's registers (QEMU docs/specs/edu.txt): 0x80 DMA source, 0x88 DMA
 * destination, 0x90 count, 0x98 command (bit 0 start, bit 1 direction: set
 * for edu to RAM). Its buffer is at 0x40000 in its own address space; a DMA
 * runs 100 ms (virtual time) after it is started, and bit 0 clears when it
 * is done. edu masks DMA addresses to 28 bits, so every IOVA is below 2^28.
 *
 * Usage: edu-dma 0000:00:05.0
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_BUFFER 0x40000u
#define IOVA_RW 0x100000ull
#define IOVA_UNMAPPED 0x2345000ull
#define IOVA_RO 0x200000ull
#define PAGE 4096u

static void die(const char *what) {
  fprintf(stderr, "edu-dma: %s: %s\n", what, strerror(errno));
  exit(1);
}

static volatile uint8_t *bar;

static void wr64(unsigned off, uint64_t v) { *(volatile uint64_t *)(bar + off) = v; }
static uint64_t rd64(unsigned off) { return *(volatile uint64_t *)(bar + off); }

/* Starts a DMA and waits for edu to clear its start bit (at most 5 s). */
static void dma(uint64_t src, uint64_t dst, uint64_t count, int to_ram) {
  wr64(0x80, src);
  wr64(0x88, dst);
  wr64(0x90, count);
  wr64(0x98, 1 | (to_ram ? 2 : 0));
  for (int i = 0; i < 500 && (rd64(0x98) & 1); i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (rd64(0x98) & 1) {
    fprintf(stderr, "edu-dma: the DMA did not finish\n");
    exit(1);
  }
}

static void map(int container, void *vaddr, uint64_t iova, uint32_t flags) {
  struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)vaddr, .iova = iova, .size = PAGE};
  if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) die("VFIO_IOMMU_MAP_DMA");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: edu-dma SSSS:BB:DD.F\n");
    return 2;
  }
  const char *bdf = argv[1];
  char path[PATH_MAX], link[PATH_MAX];
  snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
  ssize_t n = readlink(path, link, sizeof(link) - 1);
  if (n < 0) die(path);
  link[n] = 0;
  const char *group_id = strrchr(link, '/') + 1;

  int container = open("/dev/vfio/vfio", O_RDWR);
  if (container < 0) die("/dev/vfio/vfio");
  if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) die("VFIO API version");
  if (!ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU)) die("VFIO type 1 IOMMU");
  snprintf(path, sizeof(path), "/dev/vfio/%s", group_id);
  int group = open(path, O_RDWR);
  if (group < 0) die(path);
  struct vfio_group_status status = {.argsz = sizeof(status)};
  if (ioctl(group, VFIO_GROUP_GET_STATUS, &status)) die("VFIO_GROUP_GET_STATUS");
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
    fprintf(stderr, "edu-dma: group %s is not viable (a device of it is bound to another driver)\n", group_id);
    return 1;
  }
  if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) die("VFIO_GROUP_SET_CONTAINER");
  if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU)) die("VFIO_SET_IOMMU");
  int device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
  if (device < 0) die("VFIO_GROUP_GET_DEVICE_FD");

  struct vfio_region_info bar0 = {.argsz = sizeof(bar0), .index = VFIO_PCI_BAR0_REGION_INDEX};
  if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &bar0)) die("BAR0 region");
  bar = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, device, bar0.offset);
  if (bar == MAP_FAILED) die("mmap BAR0");
  struct vfio_region_info config = {.argsz = sizeof(config), .index = VFIO_PCI_CONFIG_REGION_INDEX};
  if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &config)) die("config region");
  uint16_t command;
  if (pread(device, &command, 2, config.offset + 4) != 2) die("read PCI command");
  command |= 0x4; /* bus master */
  if (pwrite(device, &command, 2, config.offset + 4) != 2) die("write PCI command");

  uint8_t *rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  uint8_t *ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rw == MAP_FAILED || ro == MAP_FAILED) die("mmap buffers");
  for (unsigned i = 0; i < PAGE; i++) rw[i] = (uint8_t)(i * 7 + 1);
  memset(ro, 0, PAGE);

  /* 1. A round trip through a read-write mapping. */
  map(container, rw, IOVA_RW, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
  dma(IOVA_RW, EDU_BUFFER, 256, 0);
  dma(EDU_BUFFER, IOVA_RW + 256, 256, 1);
  if (memcmp(rw, rw + 256, 256) != 0) {
    fprintf(stderr, "edu-dma: the round trip did not copy the bytes\n");
    return 1;
  }
  printf("edu-dma: round trip through IOVA 0x%llx ok\n", IOVA_RW);

  /* 2. A read of an IOVA nothing maps. */
  dma(IOVA_UNMAPPED, EDU_BUFFER, 8, 0);
  printf("edu-dma: read of unmapped IOVA 0x%llx issued\n", IOVA_UNMAPPED);

  /* 3. A write to a read-only mapping. */
  map(container, ro, IOVA_RO, VFIO_DMA_MAP_FLAG_READ);
  dma(EDU_BUFFER, IOVA_RO, 8, 1);
  printf("edu-dma: write to read-only IOVA 0x%llx issued\n", IOVA_RO);

  printf("edu-dma: done\n");
  fflush(stdout);
  for (;;) pause();
}
