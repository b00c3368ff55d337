/* The throughput floor for `make bench`: read every frame of a capture with libpcap and touch
 * its bytes (a sum, so the reads cannot be optimised away), nothing else. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdint.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: pcap-floor CAPTURE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "pcap-floor: %s\n", errbuf);
        return 1;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    uint64_t frames = 0, bytes = 0, sum = 0;
    int status;
    while ((status = pcap_next_ex(p, &header, &data)) == 1) {
        frames++;
        bytes += header->caplen;
        /* One byte per cache line: the frame is brought in from the page cache like a parser would. */
        for (uint32_t i = 0; i < header->caplen; i += 64) sum += data[i];
    }
    if (status == PCAP_ERROR) fprintf(stderr, "pcap-floor: %s\n", pcap_geterr(p));
    printf("%llu frames, %llu bytes (checksum %llu)\n", (unsigned long long)frames, (unsigned long long)bytes,
           (unsigned long long)(sum & 0xff));
    pcap_close(p);
    return 0;
}
